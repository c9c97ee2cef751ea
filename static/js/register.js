// Filter the commune list as the citizen types, ignoring accents ("tu ky" finds "Xã Tứ Kỳ").
(function () {
  "use strict";
  var input = document.getElementById("commune-filter");
  var select = input && document.getElementById(input.getAttribute("data-filter-for"));
  if (!input || !select) return;
  function key(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().trim();
  }
  var status = document.getElementById("commune-filter-status");
  input.hidden = false;
  input.addEventListener("input", function () {
    var wanted = key(input.value), matches = [];
    Array.prototype.forEach.call(select.querySelectorAll("option[data-key]"), function (option) {
      var hit = !wanted || (" " + option.getAttribute("data-key")).indexOf(" " + wanted) !== -1; // from a word's start: "hai" is not "Thái"
      option.hidden = !hit;
      option.disabled = !hit;
      if (hit) matches.push(option);
    });
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
    // only a single match is chosen for the citizen: with several, the first ("hai" → "Phường An Hải") was
    // chosen silently, and with none the hidden earlier choice stayed and was sent
    var chosen = wanted && matches.length === 1 ? matches[0].value : "";
    if (select.value !== chosen) {
      select.value = chosen;
      select.dispatchEvent(new Event("change", { bubbles: true }));  // forms.js then clears a "please choose" error
    }
    if (status) status.textContent = !wanted ? "" : matches.length === 0 ? "Không tìm thấy tên nào như vậy – hãy gõ lại."
      : matches.length === 1 ? "Đã chọn: " + matches[0].textContent + "."
      : "Có " + matches.length + " tên khớp – hãy chọn đúng tên trong danh sách bên dưới.";
  });
})();

// The guardian's fields only for an under-16: shown while the birth date says so (a date not readable yet,
// "5-9-58", opened them for an elderly citizen; the server still asks for them when the age requires it).
(function () {
  "use strict";
  var birth = document.getElementById("birth_date");
  var guardian = document.querySelector("fieldset.guardian");
  if (!birth || !guardian || guardian.querySelector(".has-error")) return;
  function age(text) {  // read as the server does (quiz.web.forms.parse_vn_date): 5/9/2012, 5-9-2012, 5.9.2012, 05092012, 2012-09-05
    var iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
    var parts = iso ? [iso[3], iso[2], iso[1]]
      : /^\d{8}$/.test(text) ? [text.slice(0, 2), text.slice(2, 4), text.slice(4)]
      : text.split(/\s*[\/.\- ]\s*/);
    var day = +parts[0], month = +parts[1], year = +parts[2];
    if (!day || !month || !(year >= 1900)) return null;
    var today = new Date(), years = today.getFullYear() - year;
    if (today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day)) years -= 1;
    return years;
  }
  function update() {
    var years = age(birth.value.trim());
    guardian.hidden = !(years !== null && years < 16);
  }
  birth.addEventListener("input", update);
  update();
})();
