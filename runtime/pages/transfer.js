/* transfer.js -- the transfer checker: a credential (with the jurisdiction
 * that issued it) or a holder, a target jurisdiction and a date, sent to
 * POST /v1/transfer; each decision shown with credex.decisionView. */
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("transfer-form");
  var result = document.getElementById("result");
  var byHolder = document.getElementById("mode-holder");

  /* Shows and enables the fields of the chosen mode only. */
  function mode() {
    var holder = byHolder.checked;
    document.getElementById("credential-fields").hidden = holder;
    document.getElementById("holder-fields").hidden = !holder;
    document.getElementById("credential").disabled = holder;
    document.getElementById("from").disabled = holder;
    document.getElementById("holder").disabled = !holder;
  }

  function request() {
    var f = form.elements;
    if (byHolder.checked) return { holder: f.holder.value.trim(), to: f.to.value.trim(), as_of: f.as_of.value };
    return {
      credential: f.credential.value.trim(),
      from: f.from.value.trim(),
      to: f.to.value.trim(),
      as_of: f.as_of.value
    };
  }

  function check() {
    return credex.call("POST", "/v1/transfer", request()).then(function (answer) {
      var decisions = credex.decisionsOf(answer);
      result.replaceChildren();
      if (!decisions.length) result.appendChild(credex.el("p", {}, ["The holder has no award to transfer."]));
      decisions.forEach(function (d) {
        result.appendChild(credex.decisionView(d));
      });
    });
  }

  form.addEventListener("change", mode);
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    credex.run(check);
  });
  form.elements.as_of.value = credex.today();
  var given = credex.fillFromQuery(form);
  mode();
  if (given && form.checkValidity()) credex.run(check);
});
