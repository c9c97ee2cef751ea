// "Đọc câu hỏi": read a question and its choices aloud with a Vietnamese voice; the buttons stay hidden
// on a phone that has no Vietnamese voice.
(function () {
  "use strict";
  if (!("speechSynthesis" in window)) return;
  var voice = null;
  function findVoice() {
    voice = window.speechSynthesis.getVoices().filter(function (v) { return /^vi(-|_|$)/i.test(v.lang); })[0] || null;
    document.querySelectorAll("button.speak").forEach(function (b) { b.hidden = !voice; });
  }
  findVoice();
  window.speechSynthesis.addEventListener("voiceschanged", findVoice);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.speak");
    if (!button || !voice) return;
    var fieldset = button.closest("fieldset");
    var parts = [fieldset.querySelector("legend").textContent];
    fieldset.querySelectorAll(".choice span").forEach(function (c, i) { parts.push("Phương án " + (i + 1) + ": " + c.textContent); });
    var utterance = new SpeechSynthesisUtterance(parts.join(". "));
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 0.9;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
  });
})();
