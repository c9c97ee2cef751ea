// The home page's countdown to the close of the round (minutes are enough: it is not the quiz timer).
(function () {
  "use strict";
  var box = document.getElementById("round-countdown");
  if (!box) return;
  var end = Date.now() + Number(box.getAttribute("data-seconds-left")) * 1000;
  function show() {
    var left = Math.max(0, Math.floor((end - Date.now()) / 1000));
    box.textContent = Math.floor(left / 86400) + " ngày " + Math.floor(left % 86400 / 3600) + " giờ " + Math.floor(left % 3600 / 60) + " phút";
  }
  setInterval(show, 30000);
})();
