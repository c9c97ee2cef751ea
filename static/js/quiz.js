// The quiz page: save each answer as it is given, keep a copy on the phone, show progress and the save
// state in the sticky bar, count down, confirm before submitting with unanswered questions, and submit
// once — later, by itself, when the phone is offline at that moment. The server's deadline decides.
// The practice page ("Thi thử") uses it too: its own storage keys, and no countdown when untimed.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { forgetFinishedAttempt(); return; }
  var id = form.getAttribute("data-attempt");
  var keys = { answers: "cds-attempt-" + id, submit: "cds-submit-" + id, deadline: "cds-deadline-" + id,
    pending: "cds-pending-" + id };
  var saveUrl = form.getAttribute("data-save-url");
  var lateAfter = form.getAttribute("data-late-after");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var bar = document.getElementById("quizbar");
  var statusBox = document.getElementById("save-status");
  var announcer = document.getElementById("time-announcer");
  var dialog = document.getElementById("confirm-submit");
  var pending = {};
  var submitting = false;
  var held = null;  // a message no retry may replace (time is up; the session ended): { text, state, link, until }
  var retryTimer = null;
  var inFlight = null;  // the flush under way: a change, the 4 s retry and the 15 s round share it
  var wait = 4000;  // before the next retry: doubles after each failure (at most a minute), or the server's Retry-After
  var refused = "";  // why the server refused an answer for good (time over): said instead of "will retry"
  var OFFLINE = "Mất kết nối – câu trả lời được giữ trên máy.";

  function read(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function write(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* storage full: the server copy remains */ } }
  function load(key) { try { return JSON.parse(read(key || keys.answers)) || {}; } catch (e) { return {}; } }
  function remember() { write(keys.pending, JSON.stringify(pending)); } // the unsent ones, across a reload
  function say(text, state, link) {
    if (held && state !== "saving") { text = held.text; state = held.state; link = held.link; }
    statusBox.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      a.className = "tap";
      statusBox.appendChild(document.createTextNode(" "));
      statusBox.appendChild(a);
    }
    bar.setAttribute("data-state", state || "");
  }
  // until "saved": the message goes once a save succeeds again (logged in again in another tab, page reloaded)
  function hold(text, state, link, untilSaved) {
    held = null;
    say(text, state, link);
    held = { text: text, state: state, link: link, untilSaved: untilSaved };
  }
  function clock(date) {
    return [date.getHours(), date.getMinutes(), date.getSeconds()].map(function (n) { return String(n).padStart(2, "0"); }).join(":");
  }
  function fieldsets() { return Array.prototype.slice.call(form.querySelectorAll("fieldset[data-position]")); }
  function answerOf(fieldset) {
    return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (i) { return Number(i.value); });
  }
  function unanswered() { return fieldsets().filter(function (f) { return !f.querySelector("input:checked"); }); }
  function showProgress() {
    document.getElementById("answered-count").textContent = fieldsets().length - unanswered().length;
  }

  // Each question says what the server had when the page was made (data-saved); only the phone's answers
  // that differ, or were never confirmed (an offline copy of the page may be older), are sent again (a
  // reload used to send all 20, a long wait on a slow link for nothing).
  function restore() {
    var saved = load(), unsent = load(keys.pending);
    Object.keys(saved).forEach(function (position) {
      var fieldset = form.querySelector("fieldset[data-position='" + position + "']");
      if (!fieldset) return;
      fieldset.querySelectorAll("input").forEach(function (input) {
        input.checked = saved[position].indexOf(Number(input.value)) !== -1;
      });
      if (position in unsent || answerOf(fieldset).join(",") !== fieldset.getAttribute("data-saved")) {
        pending[position] = saved[position];
      }
    });
    remember();
    showProgress();
    flush();
  }

  function send(position, choices) {
    return fetch(saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ position: Number(position), choices: choices })
    }).then(function (response) {
      if (response.status === 401 || response.status === 400 || response.status === 409) {
        return refusal(position, choices, response);
      }
      if (response.status === 429) wait = Math.max(wait, 1000 * (Number(response.headers.get("Retry-After")) || 30));
      var same = pending[position] && pending[position].join(",") === choices.join(",");
      if (same && response.ok) {
        delete pending[position];  // saved: stop retrying (unless changed since)
        remember();
      }
      return response.ok;
    });
  }

  // 401: the session ended (password changed or logged out on another phone); 400 with "reload": the page's
  // token expired. Either way the answer stays on the phone and goes once the citizen is back; a plain 400
  // is a malformed save, refused for good.
  function refusal(position, choices, response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (response.status === 401) {
        hold("Phiên đăng nhập đã hết. Câu trả lời vẫn được giữ trên máy.", "retry",
          { href: body.login || "/dang-nhap", text: "Đăng nhập lại để làm tiếp" }, true);
      } else if (body.reload) {
        hold("Trang đã mở quá lâu. Câu trả lời vẫn được giữ trên máy.", "retry",
          { href: location.href, text: "Tải lại trang" }, true);
      } else if (pending[position] && pending[position].join(",") === choices.join(",")) {
        refused = body.error || "Câu trả lời này không được lưu.";  // refused for good (409: time over): not retried
        delete pending[position];
        remember();
      }
      return false;
    });
  }

  function flush() {
    if (inFlight) return inFlight.then(function () { return Object.keys(pending).length ? flush() : true; });
    var positions = Object.keys(pending);
    if (!positions.length) return Promise.resolve(true);
    if (!navigator.onLine) { say(OFFLINE, "offline"); return Promise.resolve(false); }
    refused = "";
    inFlight = Promise.all(positions.map(function (p) { return send(p, pending[p]); })).then(function (results) {
      var ok = results.every(Boolean);
      if (ok && held && held.untilSaved) held = null;  // back in (another tab), or reloaded: the hold is over
      if (ok) wait = 4000;
      var left = Object.keys(pending).length;
      if (ok) say("Đã lưu lúc " + clock(new Date()) + ".", "saved");
      else if (!left && refused) say(refused, "retry");  // nothing left to retry: say why, not "will retry"
      else { say("Chưa lưu được, máy sẽ tự thử lại.", "retry"); retrySoon(); }
      return ok;
    }).catch(function () { say(OFFLINE, "offline"); retrySoon(); return false; })
      .then(function (ok) { inFlight = null; return ok; });
    return inFlight;
  }
  function retrySoon() {  // a flaky link that still says "online": again after 4 s, 8 s, … (a minute at most)
    if (retryTimer || held) return;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, wait);
    wait = Math.min(wait * 2, 60000);
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-position]");
    if (!fieldset) return;
    var position = fieldset.getAttribute("data-position");
    var saved = load();
    saved[position] = answerOf(fieldset);
    write(keys.answers, JSON.stringify(saved));
    pending[position] = saved[position];
    remember();
    showProgress();
    say("Đang lưu…", "saving");  // not the last "Đã lưu lúc …" while this one is on its way
    flush();
  });

  // Submitting: offline, the wish is kept (across a reload too) and carried out when the network returns.
  function submitWhenOnline(reason, timeIsUp) {
    write(keys.submit, "1");
    if (!navigator.onLine) {
      if (timeIsUp) hold(waitingForNetwork(reason, timeIsUp), "offline");  // the retries must not hide it
      else say(waitingForNetwork(reason, timeIsUp), "offline");
      return;
    }
    submitting = true;
    document.getElementById("submit-button").disabled = true;
    say("Đang nộp bài…", "saving");
    form.submit();
  }

  function waitingForNetwork(reason, timeIsUp) {
    if (timeIsUp) {
      return "Đã hết giờ. Bài sẽ tự nộp khi có mạng."
        + (lateAfter ? " Câu trả lời chưa gửi được chỉ được tính nếu có mạng lại trước " + lateAfter + "." : "");
    }
    return reason + " Chưa có mạng: bài sẽ tự nộp ngay khi có mạng trở lại."
      + (lateAfter ? " Câu trả lời gửi đi sau " + lateAfter + " không được tính." : "");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitting || dialog.open) return;
    var missing = unanswered();
    if (missing.length && !form.hasAttribute("data-confirmed") && typeof dialog.showModal === "function") {
      confirmUnanswered(missing);
      return;
    }
    submitWhenOnline("Đã ghi nhận yêu cầu nộp bài.");
  });

  function confirmUnanswered(missing) {
    var list = document.getElementById("unanswered-list");
    list.textContent = "";
    missing.forEach(function (fieldset) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + fieldset.id;
      link.textContent = "Câu " + fieldset.getAttribute("data-number");
      item.appendChild(link);
      list.appendChild(item);
    });
    document.getElementById("unanswered-count").textContent = missing.length;
    dialog.showModal();
  }
  dialog.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    if (link) {
      event.preventDefault();
      dialog.close();
      var target = document.querySelector(link.getAttribute("href"));
      target.style.scrollMarginTop = (bar.offsetHeight + 8) + "px"; // not under the sticky bar (it grows with the text size)
      target.scrollIntoView({ block: "start" });
      var first = target.querySelector("input");
      if (first) first.focus({ preventScroll: true });
    }
  });
  document.getElementById("keep-working").addEventListener("click", function () { dialog.close(); });
  document.getElementById("submit-anyway").addEventListener("click", function () {
    dialog.close();
    form.setAttribute("data-confirmed", "");
    submitWhenOnline("Đã ghi nhận yêu cầu nộp bài.");
  });

  window.addEventListener("online", function () {
    flush().then(function () { if (read(keys.submit) && !submitting) submitWhenOnline(""); });
  });
  window.addEventListener("offline", function () { say(OFFLINE, "offline"); });
  setInterval(flush, 15000);

  // The deadline as first seen on this phone: a page reloaded from the offline copy keeps counting from it.
  var countdown = document.getElementById("countdown");  // none on an untimed practice
  var fromPage = countdown && Date.now() + Number(countdown.getAttribute("data-seconds-left")) * 1000;
  var deadline = countdown && Math.min(fromPage, Number(read(keys.deadline)) || fromPage);
  if (countdown) write(keys.deadline, String(deadline));

  function announce(left) {
    if (left > 60 && left % 60 === 0) announcer.textContent = "Còn " + left / 60 + " phút.";
    else if (left <= 60 && left > 0 && left % 10 === 0) announcer.textContent = "Còn " + left + " giây.";
  }
  function warn(left) {
    if (left === 300) { bar.classList.add("warn"); say("Còn 5 phút. Hãy xem lại các câu chưa trả lời.", "warn"); }
    if (left === 60) { bar.classList.add("urgent"); say("Còn 1 phút. Bài sẽ tự nộp khi hết giờ.", "warn"); }
  }
  var last = null;
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left !== last) { announce(left); warn(left); last = left; }
    if (left <= 300) bar.classList.add("warn");
    if (left <= 60) bar.classList.add("urgent");
    if (left === 0) {
      fieldsets().forEach(function (fieldset) { fieldset.inert = true; }); // time is over: nothing more to tick
      if (!submitting) submitWhenOnline("Đã hết giờ làm bài.", true);
      return;
    }
    setTimeout(tick, 1000);
  }
  restore();
  if (countdown) tick();
  keepOfflineCopy();
  if (read(keys.submit) && navigator.onLine && !submitting) submitWhenOnline("");

  // The first quiz page may load before the service worker runs: store its copy for an offline reload.
  function keepOfflineCopy() {
    if (!("caches" in window) || !navigator.serviceWorker) return;
    navigator.serviceWorker.ready.then(function () {
      return caches.open("cds-quiz-pages-v1").then(function (cache) {
        return cache.match(location.href).then(function (hit) { return hit || cache.add(location.href); });
      });
    }).catch(function () { /* no offline copy: the page still works online */ });
  }

  // The result page: this attempt is over, forget its copy on the phone.
  function forgetFinishedAttempt() {
    var result = document.querySelector("[data-finished-attempt]");
    if (!result) return;
    var done = result.getAttribute("data-finished-attempt");
    ["cds-attempt-", "cds-submit-", "cds-deadline-", "cds-pending-"].forEach(function (prefix) {
      try { localStorage.removeItem(prefix + done); } catch (e) { /* nothing kept */ }
    });
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ forget: result.getAttribute("data-finished-page") || "/thi/" + done });
    }
  }
})();
