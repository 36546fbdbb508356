/* whatif.js -- the what-if page: a change file (chosen or pasted) sent to
 * POST /v1/whatif; the transitions drawn as gains and losses per credential
 * in inline SVG, the affected holders and every transition as tables, and
 * the CSV `credex whatif --format csv` writes, built here for download.
 * The part without a page (whatif.csv, whatif.perCredential) also loads in
 * node, where tests/serve/pages.sh compares its CSV with the CLI's. */
"use strict";

var whatif = (function () {
  /* How good a status is, within its kind: a move up is a gain, down a
   * loss; error and absent rank nowhere (their moves are "other"). */
  var RANK = {
    met: 3, in_progress: 2, not_started: 1,
    equivalent: 3, partial: 2, not_equivalent: 1,
    accepted: 3, conditional: 2, denied: 1, not_recognized: 1
  };

  /* The credential a transition is about: the stack's, the target of an
   * equivalence, the credential of a recognition. */
  function credentialOf(t) {
    if (t.kind === "audit") return t.subject.stack;
    if (t.kind === "equiv") return t.subject.to;
    return t.subject.credential;
  }

  /* The subject as the CLI's text and CSV write it. */
  function subjectText(t) {
    var s = t.subject;
    if (t.kind === "audit") return s.stack;
    if (t.kind === "equiv") return s.from + " -> " + s.to + (s.in ? " in " + s.in : "");
    return s.credential + " " + s.from + " -> " + s.to;
  }

  /* [{credential, gained, lost, other}] in byte order of credential. */
  function perCredential(transitions) {
    var rows = {};
    transitions.forEach(function (t) {
      var id = credentialOf(t);
      var row = rows[id] || (rows[id] = { credential: id, gained: 0, lost: 0, other: 0 });
      var from = RANK[t.from], to = RANK[t.to];
      if (from && to && to > from) row.gained += t.count;
      else if (from && to && to < from) row.lost += t.count;
      else row.other += t.count;
    });
    return Object.keys(rows).sort().map(function (id) { return rows[id]; });
  }

  /* One CSV field, quoted as RFC 4180 says when it needs to be. */
  function csvField(v) {
    var s = v === null || v === undefined ? "" : String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function coverageText(c) {
    return c ? c.covered + "/" + c.total : "";
  }

  /* The CSV of `credex whatif --format csv` (docs/whatif.md), CRLF. */
  function csv(transitions) {
    var lines = ["kind,subject,from,to,count,examples,coverage_before,coverage_after"];
    transitions.forEach(function (t) {
      var cov = t.coverage || {};
      lines.push([t.kind, subjectText(t), t.from, t.to, t.count, t.examples.join(";"),
        coverageText(cov.before), coverageText(cov.after)].map(csvField).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }

  return { credentialOf: credentialOf, subjectText: subjectText, perCredential: perCredential, csv: csv };
})();

if (typeof module !== "undefined") module.exports = whatif;

if (typeof document !== "undefined") document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("whatif-form");
  var el = credex.el;
  var csvUrl = null;
  var drawn = null; /* the rows the chart shows, drawn again when the width changes */

  /* Gains to the right of a middle line, losses to the left, one row per
   * credential, drawn into the page's <svg id="chart">. */
  function drawChart(rows) {
    drawn = rows;
    var svg = document.getElementById("chart");
    var ns = svg.namespaceURI;
    var title = svg.querySelector("title");
    svg.replaceChildren(title);
    /* one unit of the drawing is one CSS pixel, so text stays 12px at any width */
    var width = Math.max(svg.parentNode.clientWidth || 600, 300);
    var rowHeight = 28, labelWidth = Math.min(170, Math.round(width * 0.3)), half = (width - labelWidth) / 2;
    var most = rows.reduce(function (m, r) { return Math.max(m, r.gained, r.lost); }, 1);
    var height = Math.max(rows.length, 1) * rowHeight + 10;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    function shape(tag, attrs, text) {
      var node = document.createElementNS(ns, tag);
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      if (text !== undefined) node.textContent = text;
      svg.appendChild(node);
      return node;
    }
    var middle = labelWidth + half;
    rows.forEach(function (r, i) {
      var y = 5 + i * rowHeight;
      shape("text", { x: 0, y: y + 17 }, r.credential);
      var lost = (r.lost / most) * (half - 30), gained = (r.gained / most) * (half - 30);
      shape("rect", { class: "loss", x: middle - lost, y: y + 4, width: lost, height: rowHeight - 10 });
      shape("rect", { class: "gain", x: middle, y: y + 4, width: gained, height: rowHeight - 10 });
      if (r.lost) shape("text", { x: middle - lost - 4, y: y + 17, "text-anchor": "end" }, "\u2212" + r.lost);
      if (r.gained) shape("text", { x: middle + gained + 4, y: y + 17 }, "+" + r.gained);
    });
    shape("line", { x1: middle, y1: 0, x2: middle, y2: height, stroke: "currentColor" });
    title.textContent = rows.length
      ? "Gains and losses per credential: " + rows.map(function (r) {
          return r.credential + " +" + r.gained + " \u2212" + r.lost;
        }).join(", ")
      : "No credential gains or loses";
  }

  function cells(values, numeric) {
    return el("tr", {}, values.map(function (v, i) {
      return el("td", numeric && numeric[i] ? { class: "number" } : {}, [String(v)]);
    }));
  }

  function fillTable(id, rows) {
    document.querySelector("#" + id + " tbody").replaceChildren.apply(
      document.querySelector("#" + id + " tbody"), rows);
  }

  function show(transitions) {
    var rows = whatif.perCredential(transitions);
    var holders = [];
    transitions.forEach(function (t) {
      if (t.kind !== "audit") return;
      t.examples.forEach(function (h) {
        holders.push(cells([h, t.subject.stack, t.from, t.to]));
      });
      if (t.count > t.examples.length) {
        holders.push(cells(["and " + (t.count - t.examples.length) + " more", t.subject.stack, t.from, t.to]));
      }
    });
    document.getElementById("result").hidden = false; /* first: the chart takes its width */
    document.getElementById("summary").textContent = transitions.length
      ? transitions.length + " group" + (transitions.length === 1 ? "" : "s") + " of decisions move."
      : "No decision moves.";
    drawChart(rows);
    fillTable("per-credential", rows.map(function (r) {
      return cells([r.credential, r.gained, r.lost, r.other], [false, true, true, true]);
    }));
    fillTable("holders", holders);
    fillTable("transitions", transitions.map(function (t) {
      return cells([t.kind, whatif.subjectText(t), t.from, t.to, t.count], [false, false, false, false, true]);
    }));
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    csvUrl = URL.createObjectURL(new Blob([whatif.csv(transitions)], { type: "text/csv" }));
    document.getElementById("csv").setAttribute("href", csvUrl);
  }

  /* The change's text: the chosen file's, else the pasted one. */
  function changeText() {
    var file = form.elements["change-file"].files[0];
    return file ? file.text() : Promise.resolve(form.elements.change.value);
  }

  function compare() {
    return changeText().then(function (text) {
      if (!text.trim()) throw { status: 0, code: null, message: "choose a change file or paste one", pointer: null };
      var type = /^\s*[{[]/.test(text) ? "application/json" : "application/yaml";
      var path = "/v1/whatif?as_of=" + encodeURIComponent(form.elements.as_of.value);
      return credex.call("POST", path, text, type);
    }).then(function (answer) {
      show(answer.transitions);
    });
  }

  window.addEventListener("resize", function () {
    if (drawn) drawChart(drawn);
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    credex.run(compare);
  });
  form.elements.as_of.value = credex.today();
  if (credex.fillFromQuery(form) && form.elements.change.value.trim()) credex.run(compare);
});
