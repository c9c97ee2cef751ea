// Forms that forgive: focus the error summary after a failed submit, take a tapped summary item to its
// field, and remove a field's error (and its summary line) once the field is corrected.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var box = field.closest(".field") || field;
    box.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
  function corrected(field, initial) {
    if (field.type === "checkbox") return field.checked;
    if (field.type === "password") return field.value.length >= 6;
    return field.value.trim() !== "" && field.value !== initial;
  }
  document.querySelectorAll(".field.has-error").forEach(function (box) {
    var name = box.getAttribute("data-field");
    var field = document.getElementById(name);
    if (!field) return;
    var initial = field.value;
    function check() {
      if (!corrected(field, initial)) return;
      box.classList.remove("has-error");
      field.removeAttribute("aria-invalid");
      var error = document.getElementById(name + "-error");
      if (error) error.remove();
      var line = summary.querySelector("[data-summary-for='" + name + "']");
      if (line) line.remove();
    }
    field.addEventListener("change", check);
    field.addEventListener("input", check);
  });
})();
