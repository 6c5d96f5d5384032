/* Counts one view of this article once the page has loaded. No cookie; sends only the article id. */
(function (s) {
  var id = s && s.getAttribute("data-article");
  if (!id || !navigator.sendBeacon) return;
  function send() { navigator.sendBeacon("/v/?a=" + encodeURIComponent(id)); }
  function loaded() { if (document.readyState === "complete") send(); else addEventListener("load", send); }
  if (document.prerendering) document.addEventListener("prerenderingchange", loaded, { once: true });
  else loaded();
})(document.currentScript);
