/* Kiji body editor: a small contenteditable editor over the real <textarea>.
   Without JS the textarea works as it is. The HTML is written back into the textarea on every
   input and on submit; the server sanitizes it again (kiji.lib.html.sanitize_html).
   IME: nothing rewrites the editing area's DOM, and no command runs, between compositionstart
   and compositionend, so Japanese input (変換) is never broken. */
(function () {
  "use strict";
  // [label, command, value]; labels are the newsroom's Japanese words for them.
  var TOOLS = [
    ["太字", "bold"], ["斜体", "italic"], ["見出し2", "formatBlock", "h2"], ["見出し3", "formatBlock", "h3"],
    ["リンク", "createLink"], ["箇条書き", "insertUnorderedList"], ["番号付き", "insertOrderedList"],
    ["引用", "formatBlock", "blockquote"], ["段落", "formatBlock", "p"], ["元に戻す", "undo"]
  ];
  var SAFE_URL = /^(https?:\/\/|mailto:|\/)/i;

  function setup(textarea) {
    var composing = false;
    var wrapper = document.createElement("div");
    wrapper.className = "kiji-editor";
    var toolbar = document.createElement("div");
    toolbar.className = "kiji-editor-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "本文の書式");
    var area = document.createElement("div");
    area.className = "kiji-editor-area";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    var label = textarea.id && document.querySelector('label[for="' + textarea.id + '"]');
    if (label) { label.id = label.id || textarea.id + "-label"; area.setAttribute("aria-labelledby", label.id); }
    area.innerHTML = textarea.value || "<p><br></p>";

    function sync() { textarea.value = area.innerHTML; }

    TOOLS.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = tool[0];
      button.title = tool[0];
      button.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep the selection
      button.addEventListener("click", function () {
        if (composing) return;
        area.focus();
        var value = tool[2];
        if (tool[1] === "createLink") {
          value = window.prompt("リンク先のURL (https://…)", "https://");
          if (!value || !SAFE_URL.test(value.trim())) return;
          value = value.trim();
        }
        document.execCommand(tool[1], false, value);
        sync();
      });
      toolbar.appendChild(button);
    });

    area.addEventListener("compositionstart", function () { composing = true; });
    area.addEventListener("compositionend", function () { composing = false; sync(); });
    area.addEventListener("input", function (event) {
      if (composing || event.isComposing) return;
      sync();
    });
    area.addEventListener("paste", function (event) {
      // Paste as plain text: word processors' markup would be stripped on save anyway.
      var text = event.clipboardData && event.clipboardData.getData("text/plain");
      if (text === undefined || text === null || composing) return;
      event.preventDefault();
      document.execCommand("insertText", false, text);
    });
    if (textarea.form) textarea.form.addEventListener("submit", sync);

    wrapper.appendChild(toolbar);
    wrapper.appendChild(area);
    textarea.parentNode.insertBefore(wrapper, textarea);
    textarea.hidden = true;
  }

  function start() {
    try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* old browsers */ }
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-kiji-editor]"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
