/* Kiji body editor: a small contenteditable editor over the real <textarea>.
   Without JS the textarea works as it is. The HTML is written back into the textarea on every
   input and on submit; the server sanitizes it again (kiji.lib.html.sanitize_html).
   IME: nothing rewrites the editing area's DOM, and no command runs, between compositionstart
   and compositionend, so Japanese input (変換) is never broken; only a commit holding a line break is
   replayed at compositionend (see beforeComposition). */
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

    // Chromium misplaces a committed conversion that holds a line break (晴れ⏎明日は): the caret ends one
    // character short per break and later text lands inside it, or is lost. So the area and its selection
    // are remembered when a composition starts, and such a commit is replayed as typed text instead.
    var beforeComposition = null;
    area.addEventListener("compositionstart", function () {
      composing = true;
      beforeComposition = snapshot(area);
    });
    area.addEventListener("compositionend", function (event) {
      composing = false;
      var text = (event.data || "").replace(/\r\n?/g, "\n");
      var saved = beforeComposition;
      beforeComposition = null;
      if (saved && text.indexOf("\n") !== -1 && restore(area, saved)) {
        document.execCommand("insertText", false, text); // each "\n" becomes a new paragraph
      }
      sync();
    });
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

  // The child-index path from root to node, or null when node is outside root.
  function pathTo(root, node) {
    var path = [];
    for (; node && node !== root; node = node.parentNode) {
      path.unshift(Array.prototype.indexOf.call(node.parentNode ? node.parentNode.childNodes : [], node));
    }
    return node === root ? path : null;
  }

  function nodeAt(root, path) {
    var node = root;
    for (var i = 0; node && i < path.length; i++) node = node.childNodes[path[i]];
    return node || null;
  }

  // The area's HTML and selection, as paths that still hold once the HTML is written back.
  function snapshot(area) {
    var selection = window.getSelection();
    if (!selection || !selection.rangeCount) return null;
    var anchor = pathTo(area, selection.anchorNode), focus = pathTo(area, selection.focusNode);
    if (!anchor || !focus) return null;
    return {html: area.innerHTML, anchor: anchor, anchorOffset: selection.anchorOffset,
            focus: focus, focusOffset: selection.focusOffset};
  }

  function restore(area, saved) {
    area.innerHTML = saved.html;
    var anchor = nodeAt(area, saved.anchor), focus = nodeAt(area, saved.focus);
    if (!anchor || !focus) return false;
    window.getSelection().setBaseAndExtent(anchor, saved.anchorOffset, focus, saved.focusOffset);
    return true;
  }

  function start() {
    try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* old browsers */ }
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-kiji-editor]"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
