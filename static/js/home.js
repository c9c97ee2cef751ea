// The home page: the countdown to the close of the round (minutes are enough: it is not the quiz timer)
// and the live numbers of participants, refreshed every minute while the page is in view.
(function () {
  "use strict";
  var box = document.getElementById("round-countdown");
  if (box) {
    var end = Date.now() + Number(box.getAttribute("data-seconds-left")) * 1000;
    setInterval(function () {
      var left = Math.max(0, Math.floor((end - Date.now()) / 1000));
      box.textContent = Math.floor(left / 86400) + " ngày " + Math.floor(left % 86400 / 3600) + " giờ " + Math.floor(left % 3600 / 60) + " phút";
    }, 30000);
  }
  var figures = document.getElementById("live-figures");
  if (!figures || !window.fetch) return;
  var format = new Intl.NumberFormat("vi-VN");
  setInterval(function () {
    if (document.hidden) return;
    fetch(figures.getAttribute("data-url"), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        figures.querySelectorAll("[data-figure]").forEach(function (el) { el.textContent = format.format(data[el.getAttribute("data-figure")]); });
      }).catch(function () { /* offline: keep the last figures */ });
  }, 60000);
})();
