// An item's own form (cases/_item_control.html), progressively: a field asked only when
// another field has a given answer is hidden while it does not. Without this script every
// field is shown with its "仅当…时填写" note, and the server drops a hidden field's answer.
(function () {
  "use strict";
  function answers(form, name) {
    var found = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.value) { found.push(el.value); }
    });
    return found;
  }
  function update(form) {
    form.querySelectorAll("[data-shows-if]").forEach(function (el) {
      var wanted = el.getAttribute("data-shows-if-values").split("|");
      var given = answers(form, el.getAttribute("data-shows-if"));
      el.hidden = !given.some(function (v) { return wanted.indexOf(v) >= 0; });
    });
  }
  function start() {
    var form = document.getElementById("apply-form");
    if (!form) { return; }
    update(form);
    form.addEventListener("change", function () { update(form); });
    document.body.addEventListener("htmx:afterSwap", function () { update(form); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
