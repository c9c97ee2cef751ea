// The quiz page: save each answer as it is given, keep a copy on the phone, count down, submit once.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var storeKey = "cds-attempt-" + form.getAttribute("data-attempt");
  var saveUrl = form.getAttribute("data-save-url");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var statusBox = document.getElementById("save-status");
  var pending = {};
  var submitting = false;

  function load() { try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; } }
  function store(answers) { try { localStorage.setItem(storeKey, JSON.stringify(answers)); } catch (e) { /* storage full: the server copy remains */ } }
  function say(text) { statusBox.textContent = text; }

  function answerOf(fieldset) {
    return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (i) { return Number(i.value); });
  }

  function restore() {
    var saved = load();
    Object.keys(saved).forEach(function (position) {
      var fieldset = form.querySelector("fieldset[data-position='" + position + "']");
      if (!fieldset) return;
      fieldset.querySelectorAll("input").forEach(function (input) {
        input.checked = saved[position].indexOf(Number(input.value)) !== -1;
      });
      pending[position] = saved[position];
    });
    flush();
  }

  function send(position, choices) {
    return fetch(saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ position: Number(position), choices: choices })
    }).then(function (response) {
      if (response.ok || response.status === 409 || response.status === 400) {
        delete pending[position];  // saved, or refused for good (time over): stop retrying
      }
      return response.ok;
    });
  }

  function flush() {
    var positions = Object.keys(pending);
    if (!positions.length) return;
    if (!navigator.onLine) { say("Mất kết nối: câu trả lời được giữ trên máy và sẽ gửi khi có mạng."); return; }
    Promise.all(positions.map(function (p) { return send(p, pending[p]); })).then(function (results) {
      say(results.every(Boolean) ? "Đã lưu câu trả lời." : "Chưa lưu được, sẽ thử lại.");
    }).catch(function () { say("Mất kết nối: câu trả lời được giữ trên máy và sẽ gửi khi có mạng."); });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-position]");
    if (!fieldset) return;
    var position = fieldset.getAttribute("data-position");
    var saved = load();
    saved[position] = answerOf(fieldset);
    store(saved);
    pending[position] = saved[position];
    flush();
  });
  window.addEventListener("online", flush);
  setInterval(flush, 15000);

  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    if (!navigator.onLine) {
      event.preventDefault();
      say("Chưa có mạng. Bài làm vẫn được giữ; bấm Nộp bài lại khi có mạng.");
      return;
    }
    submitting = true;
    document.getElementById("submit-button").disabled = true;
  });

  var countdown = document.getElementById("countdown");
  var deadline = Date.now() + Number(countdown.getAttribute("data-seconds-left")) * 1000;
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left === 60) say("Còn 1 phút.");
    if (left === 0 && !submitting) {
      submitting = true;
      say("Hết giờ: bài đang được nộp.");
      form.submit();  // the server grades what was answered in time
      return;
    }
    if (left > 0) setTimeout(tick, 1000);
  }
  restore();
  tick();
})();
