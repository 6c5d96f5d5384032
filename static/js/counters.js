/* Live counters under the headline boxes: characters, and the count news aggregators use (full-width 1,
   half-width 0.5) against the limit set in settings (data-kiji-limit). Same rule as
   kiji.newsroom.proofreading.aggregator_length. */
(function () {
  "use strict";
  function isHalf(c) { return (c >= " " && c <= "~") || (c >= "\uff61" && c <= "\uff9f"); }
  function counts(text) {
    var chars = Array.from(text), weighted = 0;
    chars.forEach(function (c) { weighted += isHalf(c) ? 0.5 : 1; });
    return {chars: chars.length, weighted: weighted};
  }
  function setup(input) {
    var out = document.createElement("div");
    out.className = "kiji-counter help";
    out.id = input.id + "_counter";
    out.setAttribute("aria-live", "polite");
    var limit = parseFloat(input.getAttribute("data-kiji-limit"));
    function update() {
      var c = counts(input.value);
      var text = c.chars + "文字・換算 " + c.weighted;
      var over = !isNaN(limit) && c.weighted > limit;
      if (!isNaN(limit)) text += " / " + limit + (over ? "（" + (c.weighted - limit) + " 超過）" : "");
      out.textContent = text;
      out.classList.toggle("kiji-counter-over", over);
    }
    input.addEventListener("input", update);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + out.id);
    input.insertAdjacentElement("afterend", out);
    update();
  }
  function start() { Array.prototype.forEach.call(document.querySelectorAll("input[data-kiji-counter]"), setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
