/* credex.js -- what every page of credex serve shares: the token kept in
 * this tab's sessionStorage, calls to the API that turn the error shape
 * {"error": {code, message, pointer}} into a message, forms filled from the
 * URL, and the view of one decision. Talks to no server but its own. */
"use strict";

var credex = (function () {
  var TOKEN_KEY = "credex.token";
  var pending = null; /* the action to run again once a token is given */

  /* el("p", {class: "x"}, ["text", child]): an element with attributes and children. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function token() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || "";
    } catch (e) {
      return "";
    }
  }

  function setToken(value) {
    try {
      if (value) window.sessionStorage.setItem(TOKEN_KEY, value);
      else window.sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      /* storage refused (private mode): the token lasts until the page closes */
    }
  }

  /* The error a failed call rejects with: {status, code, message, pointer}. */
  function problem(status, body) {
    var e = body && typeof body === "object" ? body.error : null;
    if (e && typeof e.message === "string") {
      return { status: status, code: e.code, message: e.message, pointer: e.pointer || null };
    }
    return {
      status: status,
      code: null,
      message: "the server answered " + status + " without an error message",
      pointer: null
    };
  }

  /* call("POST", "/v1/transfer", {...}): a promise of the JSON body of a 2xx
   * answer; rejects with problem(). body: an object (sent as JSON) or a
   * string sent as contentType. */
  function call(method, path, body, contentType) {
    var headers = { Accept: "application/json" };
    var t = token();
    if (t) headers.Authorization = "Bearer " + t;
    var init = { method: method, headers: headers };
    if (body !== undefined) {
      headers["Content-Type"] = contentType || "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    return fetch(path, init).then(
      function (res) {
        return res.text().then(function (text) {
          var value = null;
          try {
            value = text ? JSON.parse(text) : null;
          } catch (e) {
            value = null;
          }
          if (res.ok && value !== null) return value;
          throw problem(res.status, value);
        });
      },
      function (e) {
        throw { status: 0, code: null, message: "the server could not be reached (" + e.message + ")", pointer: null };
      }
    );
  }

  /* Shows p (a problem, or null to clear) in the page's #error. */
  function showError(p) {
    var box = document.getElementById("error");
    if (!box) return;
    box.textContent = p ? p.message + (p.pointer ? " (at " + p.pointer + ")" : "") : "";
    if (p) box.focus();
  }

  function tokenPanel(show, message) {
    var panel = document.getElementById("token-panel");
    if (!panel) return;
    panel.hidden = !show;
    var note = document.getElementById("token-note");
    if (note) note.textContent = message || "";
    if (show) document.getElementById("token").focus();
  }

  /* Runs action (a function returning a promise) with errors shown; on 401
   * or 403 asks for a token and runs it again once one is given. */
  function run(action) {
    showError(null);
    return action().then(
      function () {
        tokenPanel(false);
      },
      function (p) {
        showError(p && typeof p.message === "string" ? p : problem(0, null));
        if (p && (p.status === 401 || (p.status === 403 && !token()))) {
          pending = action;
          tokenPanel(true, p.message);
        }
      }
    );
  }

  function initToken() {
    var form = document.getElementById("token-form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = document.getElementById("token");
      setToken(input.value.trim());
      input.value = "";
      tokenPanel(false);
      if (pending) {
        var again = pending;
        pending = null;
        run(again);
      }
    });
    var forget = document.getElementById("token-forget");
    if (forget) {
      forget.addEventListener("click", function () {
        setToken("");
        var state = document.getElementById("token-state");
        if (state) state.textContent = "No token is kept in this tab.";
      });
    }
    var state = document.getElementById("token-state");
    if (state) state.textContent = token() ? "A token is kept in this tab." : "No token is kept in this tab.";
  }

  /* Fills the fields of form named like the URL's query parameters; true
   * when the query gave any (the page then submits when the form is valid,
   * so that a link or a test can reach a page's answer). */
  function fillFromQuery(form) {
    var query = new URLSearchParams(window.location.search);
    var given = false;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || !query.has(field.name)) return;
      given = true;
      if (field.type === "radio") field.checked = field.value === query.get(field.name);
      else if (field.type !== "file") field.value = query.get(field.name);
    });
    return given;
  }

  function today() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  /* ------------------------------------------------------ decisions */

  function subjectText(d) {
    var s = d.subject || {};
    if (d.kind === "audit") return s.stack + " for " + s.holder;
    if (d.kind === "equiv") return s.from + " \u2192 " + s.to + (s.in ? " in " + s.in : "");
    var what = s.award ? s.award + " (" + s.credential + ")" : s.credential;
    return what + " " + s.from + " \u2192 " + s.to;
  }

  function where(node) {
    if (!node || !node.file) return "";
    return node.file + (node.line ? ":" + node.line : "");
  }

  /* The rule that decided: the trace root's first child with a citation
   * that is neither skipped nor a near miss (docs/json.md). */
  function decidingRule(d) {
    var kids = (d.trace && d.trace.children) || [];
    for (var i = 0; i < kids.length; i++) {
      if (kids[i].cite && kids[i].status !== "skipped" && kids[i].status !== "near miss") return kids[i];
    }
    return null;
  }

  /* The trace node of rule id, anywhere in the tree, or null. */
  function findRule(node, id) {
    if (!node) return null;
    if (node.rule === id && node.file) return node;
    for (var i = 0; i < (node.children || []).length; i++) {
      var found = findRule(node.children[i], id);
      if (found) return found;
    }
    return null;
  }

  function status(s) {
    return el("span", { class: "status status-" + s.replace(/[^a-z_]/g, "_") }, [s.replace(/_/g, " ")]);
  }

  function list(items) {
    return el("ul", {}, items.map(function (item) { return el("li", {}, [item]); }));
  }

  function citation(node) {
    if (!node) return null;
    return el("span", {}, [
      node.rule + " (" + where(node) + ")",
      node.cite ? el("span", { class: "cite" }, [" \u2014 " + node.cite]) : null
    ]);
  }

  function traceTree(node) {
    var line = node.rule + " [" + node.status + "]" + (node.detail ? " " + node.detail : "");
    var item = el("li", {}, [
      line,
      node.file ? el("span", { class: "cite" }, [" (" + where(node) + ")" + (node.cite ? " \u2014 " + node.cite : "")]) : null
    ]);
    if (node.children && node.children.length) item.appendChild(el("ul", {}, node.children.map(traceTree)));
    return item;
  }

  function nearMisses(d) {
    var rows = d.near_misses.map(function (m) {
      var node = findRule(d.trace, m.rule);
      return el("tr", {}, [
        el("td", {}, [m.rule]),
        el("td", {}, [m.clause]),
        el("td", {}, [m.detail || ""]),
        el("td", {}, [node ? where(node) + (node.cite ? " \u2014 " + node.cite : "") : ""])
      ]);
    });
    return el("div", { class: "scroll" }, [
      el("table", {}, [
        el("caption", { class: "hint" }, ["Rules that failed on exactly one clause"]),
        el("thead", {}, [el("tr", {}, ["rule", "clause", "why", "citation"].map(function (h) {
          return el("th", { scope: "col" }, [h]);
        }))]),
        el("tbody", {}, rows)
      ])
    ]);
  }

  /* The view of one decision (docs/json.md): status, reasons, the deciding
   * rule with file:line and citation, what was used, what is missing, near
   * misses, and the whole trace under a disclosure. */
  function decisionView(d) {
    var facts = [];
    function fact(name, value) {
      if (value) facts.push(el("dt", {}, [name]), el("dd", {}, [value]));
    }
    fact("because", d.reasons.length ? list(d.reasons.map(function (r) { return r.message; })) : null);
    fact("rule", citation(decidingRule(d)));
    if (d.award) fact("award", "issued " + d.award.issued + (d.award.expires ? ", expires " + d.award.expires : ", never expires"));
    if (d.coverage) fact("coverage", d.coverage.covered + " of " + d.coverage.total + " competencies");
    fact("used", d.used.length ? list(d.used.map(function (u) {
      return (u.award ? u.award + " (" + u.credential + ")" : u.credential) +
        (u.slot ? " for " + u.slot : "") + (u.via !== "direct" ? " via " + u.via : "") +
        (u.verification ? ", " + u.verification : "");
    })) : null);
    fact("missing", d.missing.length ? list(d.missing) : null);
    fact("as of", d.as_of);
    return el("article", { class: "decision" }, [
      el("h3", {}, [subjectText(d) + " ", status(d.status)]),
      el("dl", {}, facts),
      d.near_misses && d.near_misses.length ? nearMisses(d) : null,
      el("details", { class: "trace" }, [el("summary", {}, ["Trace"]), el("ul", {}, [traceTree(d.trace)])])
    ]);
  }

  /* The decisions of an answer: {"decisions": [...]} or one decision. */
  function decisionsOf(answer) {
    return Array.isArray(answer.decisions) ? answer.decisions : [answer];
  }

  document.addEventListener("DOMContentLoaded", initToken);

  return {
    el: el,
    call: call,
    run: run,
    fillFromQuery: fillFromQuery,
    today: today,
    status: status,
    list: list,
    subjectText: subjectText,
    decisionView: decisionView,
    decisionsOf: decisionsOf
  };
})();
