// Filter the commune list as the citizen types, ignoring accents ("tu ky" finds "Xã Tứ Kỳ").
(function () {
  "use strict";
  var input = document.getElementById("commune-filter");
  var select = input && document.getElementById(input.getAttribute("data-filter-for"));
  if (!input || !select) return;
  function key(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().trim();
  }
  input.hidden = false;
  input.addEventListener("input", function () {
    var wanted = key(input.value), matches = [];
    Array.prototype.forEach.call(select.querySelectorAll("option[data-key]"), function (option) {
      var hit = !wanted || option.getAttribute("data-key").indexOf(wanted) !== -1;
      option.hidden = !hit;
      option.disabled = !hit;
      if (hit) matches.push(option);
    });
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
    if (wanted && matches.length >= 1) select.value = matches[0].value;
    if (!wanted) select.value = "";
  });
})();
