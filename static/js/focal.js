// The image form: a click on the picture sets its focal point (the two number boxes stay editable by hand).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-kiji-focal]");
    var x = document.getElementById("id_focal_x");
    var y = document.getElementById("id_focal_y");
    if (!box || !x || !y) return;
    var img = box.querySelector("img");
    var mark = box.querySelector(".kiji-focal-mark");
    img.addEventListener("click", function (event) {
      var rect = img.getBoundingClientRect();
      var fx = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
      var fy = Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height));
      x.value = fx.toFixed(2);
      y.value = fy.toFixed(2);
      mark.style.left = (fx * 100).toFixed(1) + "%";
      mark.style.top = (fy * 100).toFixed(1) + "%";
    });
  });
})();
