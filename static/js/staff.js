// The staff add form: the writer page address follows the display name, in romaji (asked of the server,
// which uses pykakasi), until the person edits the address themselves.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var name = document.getElementById("id_display_name");
    var slug = document.getElementById("id_writer_slug");
    if (!name || !slug) return;
    var touched = slug.value !== "";
    var timer = null;
    slug.addEventListener("input", function () { touched = slug.value !== ""; });
    name.addEventListener("input", function () {
      if (touched) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = "../romaji/?name=" + encodeURIComponent(name.value);
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) { if (data && !touched) slug.value = data.slug; });
      }, 300);
    });
  });
})();
