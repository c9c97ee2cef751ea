// The share page ("Lan tỏa"): one button that opens the phone's share sheet (Zalo, Messenger, …), or,
// where there is none, copies the link. Without JavaScript the button stays hidden; the link, the SMS
// button and the QR code still work.
(function () {
  "use strict";
  var button = document.getElementById("share-button");
  if (!button) return;
  var link = button.getAttribute("data-link");
  var status = document.getElementById("share-status");
  if (!navigator.share && !(navigator.clipboard && navigator.clipboard.writeText)) return;
  if (!navigator.share) button.textContent = "Sao chép đường dẫn";
  button.hidden = false;
  button.addEventListener("click", function () {
    if (navigator.share) {
      navigator.share({ title: button.getAttribute("data-title"), url: link }).catch(function () { /* closed */ });
      return;
    }
    navigator.clipboard.writeText(link).then(function () {
      status.textContent = "Đã sao chép. Dán vào tin nhắn Zalo, Messenger hoặc SMS để gửi.";
    }, function () { status.textContent = "Chưa sao chép được: hãy bấm giữ vào đường dẫn ở trên để sao chép."; });
  });
})();
