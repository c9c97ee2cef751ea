// The admission room's waiting page: retry the start by itself after the server's delay, plus a little
// jitter of its own, so a crowd of open pages never comes back in step. No inline script (strict CSP).
(function () {
  "use strict";
  var form = document.querySelector("form[data-retry-seconds]");
  if (!form) { return; }
  var seconds = parseFloat(form.getAttribute("data-retry-seconds")) || 5;
  var delay = seconds * (0.9 + Math.random() * 0.2);
  var shown = document.querySelector("[data-countdown]");
  var due = Date.now() + delay * 1000;
  var tick = setInterval(function () {
    var left = Math.max(0, Math.ceil((due - Date.now()) / 1000));
    if (shown) { shown.textContent = String(left); }
  }, 1000);
  setTimeout(function () { clearInterval(tick); form.submit(); }, delay * 1000);
})();
