// The lead-image picker shows thumbnails: the admin's autocomplete boxes (Select2) draw, beside each
// caption, the picture the server sends with it (kiji.newsroom.sites.PickerJsonView). Other boxes,
// whose answers carry no picture, look as before.
(function () {
  "use strict";
  function withThumb(item) {
    if (!item.thumb) return item.text;
    var row = document.createElement("span");
    row.className = "kiji-pick";
    var img = document.createElement("img");
    img.src = item.thumb;
    img.alt = "";  // the caption beside it says what it is
    img.width = 64;
    row.appendChild(img);
    row.appendChild(document.createTextNode(" " + item.text));
    return django.jQuery(row);
  }
  // Set as Select2's default before the admin's autocomplete.js (loaded after this file) builds its
  // boxes: jQuery runs its ready handlers after DOMContentLoaded's listeners.
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof django === "undefined" || !django.jQuery || !django.jQuery.fn.select2) return;
    django.jQuery.fn.select2.defaults.set("templateResult", withThumb);
  });
})();
