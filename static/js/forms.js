// Forms that forgive: focus the error summary after a failed submit, take a tapped summary item to its
// field, and remove a field's error (and its summary line) once the field is corrected.
(function () {
  "use strict";
  // One submit per tap: a second tap while the first is on its way (slow 3G) would register the same phone
  // twice and show "already registered" to someone who has just registered.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return; // another script kept the form here
      if (form.hasAttribute("data-sending")) { event.preventDefault(); return; }
      form.setAttribute("data-sending", "");
      setTimeout(function () { release(form); }, 20000); // a request lost on the way: a tap may send it again
      form.querySelectorAll("input[data-shown-password]").forEach(function (input) { input.type = "password"; }); // not kept as typed text
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
        button.setAttribute("data-label", button.textContent);
        button.textContent = "Đang gửi…";
      });
    });
  });
  function release(form) {
    form.removeAttribute("data-sending");
    form.querySelectorAll("[data-label]").forEach(function (button) {
      button.textContent = button.getAttribute("data-label");
      button.removeAttribute("aria-disabled");
    });
  }
  window.addEventListener("pageshow", function () { // back to a page kept in memory: it may be sent again
    document.querySelectorAll("form[data-sending]").forEach(release);
  });
  // "Hiện" beside every password: typing blind on a phone keyboard is where many give up.
  document.querySelectorAll("input[type=password]").forEach(function (input) {
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "button secondary show-password";
    toggle.textContent = "Hiện mật khẩu";
    toggle.setAttribute("aria-controls", input.id);
    input.setAttribute("data-shown-password", "");
    toggle.addEventListener("click", function () {
      var shown = input.type === "text";
      input.type = shown ? "password" : "text";
      toggle.textContent = shown ? "Hiện mật khẩu" : "Ẩn mật khẩu";
    });
    input.insertAdjacentElement("afterend", toggle);
  });
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
    if (field.type === "password") return field.value.length >= 8;  // the rule's minimum (quiz.infra.passwords)
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
