// Copy link: shows the button (hidden without JS, when the URL field is the way) and copies the URL.
document.querySelectorAll("[data-share-copy]").forEach(function (box) {
  var field = box.querySelector("input");
  var button = box.querySelector("[data-copy-button]");
  var status = box.querySelector("[data-copy-status]");
  if (!navigator.clipboard || !button) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(function () {
      status.textContent = "リンクをコピーしました";
    }, function () {
      field.select();
      status.textContent = "コピーできませんでした。URLを選択したのでコピーしてください";
    });
  });
});
