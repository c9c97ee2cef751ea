// Text size (3 steps) and high contrast, remembered on the phone; loaded in <head> so the page never jumps.
(function () {
  "use strict";
  var root = document.documentElement;
  function get(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function put(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* private mode: this page only */ } }
  function apply() {
    var size = get("cds-text-size") || "1";
    root.classList.remove("text-2", "text-3");
    if (size !== "1") root.classList.add("text-" + size);
    root.classList.toggle("contrast", get("cds-contrast") === "1");
    return size;
  }
  apply();
  // the offline shell (static/js/sw.js): registered from every page, so it already runs when a quiz opens
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js").catch(function () { /* no offline copy */ }); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("display-settings");
    if (!box) return;
    box.hidden = false;
    function show() {
      var size = apply();
      box.querySelectorAll("[data-text-size]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-text-size") === size));
      });
      document.getElementById("contrast-toggle").setAttribute("aria-pressed", String(root.classList.contains("contrast")));
    }
    box.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      if (button.hasAttribute("data-text-size")) put("cds-text-size", button.getAttribute("data-text-size"));
      if (button.id === "contrast-toggle") put("cds-contrast", root.classList.contains("contrast") ? "0" : "1");
      show();
    });
    show();
  });
})();
