/* audit.js -- a holder's audit: POST /v1/audit, then one block per stack
 * with its progress as a bar (requirements filled out of those filled and
 * still missing), what is missing, and the decision under a disclosure. */
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("audit-form");
  var result = document.getElementById("result");
  var el = credex.el;

  /* [done, total]: a met stack is whole; otherwise the slots its used
   * awards fill against those plus the requirements still missing. */
  function progress(d) {
    var slots = {};
    d.used.forEach(function (u) {
      if (u.slot) slots[u.slot] = true;
    });
    var done = Object.keys(slots).length;
    if (d.status === "met") return [Math.max(done, 1), Math.max(done, 1)];
    return [done, done + d.missing.length];
  }

  function stackView(d, i) {
    var p = progress(d);
    var id = "bar-" + i;
    var text = d.status === "error" ? "not decided" : p[0] + " of " + p[1] + " requirements";
    return el("article", { class: "decision" }, [
      el("h3", {}, [d.subject.stack + " ", credex.status(d.status)]),
      el("label", { for: id }, ["Progress: " + text]),
      el("progress", { id: id, max: String(p[1] || 1), value: String(p[0]) }, [text]),
      d.missing.length ? el("p", {}, ["Missing:"]) : null,
      d.missing.length ? credex.list(d.missing) : null,
      el("details", {}, [el("summary", {}, ["The decision"]), credex.decisionView(d)])
    ]);
  }

  function audit() {
    var f = form.elements;
    var body = { holder: f.holder.value.trim(), as_of: f.as_of.value };
    if (f.stack.value.trim()) body.stack = f.stack.value.trim();
    return credex.call("POST", "/v1/audit", body).then(function (answer) {
      var decisions = credex.decisionsOf(answer);
      result.replaceChildren(el("p", {}, [body.holder + ": " + decisions.length + " stack" + (decisions.length === 1 ? "" : "s") + " as of " + body.as_of]));
      decisions.forEach(function (d, i) {
        result.appendChild(stackView(d, i));
      });
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    credex.run(audit);
  });
  form.elements.as_of.value = credex.today();
  if (credex.fillFromQuery(form) && form.checkValidity()) credex.run(audit);
});
