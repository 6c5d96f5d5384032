/* Comments: fill the CSRF token and form stamp (the article page is cached for everyone, so it has none),
   count characters as the server does (graphemes after NFC), and send likes without leaving the page.
   Without this script everything still works: the server re-shows the form with a token. */
(function () {
  "use strict";
  var section = document.getElementById("comments");
  if (!section) return;
  var form = document.getElementById("comment-form");
  var tokenUrl = form ? form.getAttribute("data-token-url") : "/comments/token/";
  var ready = null;

  function fillToken() {
    if (!ready) {
      ready = fetch(tokenUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          section.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (i) { i.value = data.csrf; });
          if (form) form.querySelector("input[name=started]").value = data.started;
        });
    }
    return ready;
  }

  function graphemes(text) {
    text = text.normalize("NFC").trim();
    if (window.Intl && Intl.Segmenter) {
      var n = 0, it = new Intl.Segmenter("ja", {granularity: "grapheme"}).segment(text)[Symbol.iterator]();
      while (!it.next().done) n++;
      return n;
    }
    return Array.from(text).length;
  }

  if (form) {
    var body = form.querySelector("textarea[name=body]");
    var counter = document.getElementById("comment-counter");
    var max = parseInt(counter.getAttribute("data-max"), 10);
    var update = function () {
      var left = max - graphemes(body.value);
      counter.textContent = "残り " + left + " 文字";
      counter.classList.toggle("over", left < 0);
    };
    body.addEventListener("input", update);
    form.addEventListener("focusin", fillToken);
  }

  section.addEventListener("submit", function (event) {
    var target = event.target;
    var token = target.querySelector("input[name=csrfmiddlewaretoken]");
    var isLike = target.classList.contains("like-form");
    if (!isLike && token && token.value) return;  // token filled: an ordinary post (Post/Redirect/Get)
    event.preventDefault();
    fillToken().then(function () {
      if (!isLike) { target.submit(); return; }
      return fetch(target.action, {method: "POST", body: new FormData(target), credentials: "same-origin",
                                   headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
        .then(function (data) {
          target.querySelector(".like-count").textContent = data.likes;
          target.querySelector("button").setAttribute("aria-pressed", "true");
        });
    }).catch(function () { target.submit(); });
  });
})();
