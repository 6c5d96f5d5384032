/* Kiji article form: nothing typed is lost.
   - Autosave: the headline, short headline, deck and body go to the server a few seconds after typing
     stops (and at least every data-autosave-seconds while typing), apart from the article itself.
   - Presence: the same request is a heartbeat; the answer says who else has the article open.
   - A warning before leaving with unsaved changes; Ctrl+S / Cmd+S saves and stays on the form.
   - Offers back an autosave, takes fields from the other version after a refused save, refreshes 校正.
   No library: a few listeners and fetch(). */
(function () {
  "use strict";
  var FIELDS = ["headline", "short_headline", "deck", "body"];

  // The admin's autocomplete boxes (select2) and split date/time inputs come without accessible names:
  // give each the label of the field it belongs to, also for rows added later.
  function nameControls(form) {
    Array.prototype.forEach.call(form.querySelectorAll("select.admin-autocomplete"), function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      var name = label ? label.textContent.replace(/[:：]\s*$/, "").trim() : select.name;
      var box = select.nextElementSibling;
      if (!box || !box.classList.contains("select2")) return;
      var parts = box.querySelectorAll(".select2-selection, .select2-selection__rendered, .select2-search__field");
      Array.prototype.forEach.call(parts, function (el) {
        if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", name);
      });
    });
    // Tabular inlines (bylines) label their inputs only by the column header.
    Array.prototype.forEach.call(form.querySelectorAll("table td[class*=field-] input:not([type=hidden])"), function (input) {
      if (input.getAttribute("aria-label") || document.querySelector('label[for="' + input.id + '"]')) return;
      var column = /field-([\w-]+)/.exec(input.closest("td").className);
      var header = column && input.closest("table").querySelector("th.column-" + column[1]);
      if (header) input.setAttribute("aria-label", header.textContent.trim());
    });
  }

  function start() {
    var form = document.getElementById("article_form");
    if (!form) return;
    nameControls(form);
    new MutationObserver(function () { nameControls(form); }).observe(form, {childList: true, subtree: true});
    var desk = document.getElementById("kiji-desk");
    var dirty = false, submitting = false, changedSince = 0, lastSent = 0, timer = null;

    function field(name) { return form.elements.namedItem(name); }
    function csrf() { var t = form.elements.namedItem("csrfmiddlewaretoken"); return t ? t.value : ""; }
    function post(url, data) {
      var body = new URLSearchParams(data);
      return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                         headers: {"X-CSRFToken": csrf(), "X-Requested-With": "fetch"}});
    }
    function values() {
      var data = {};
      FIELDS.forEach(function (name) { var f = field(name); if (f) data[name] = f.value; });
      return data;
    }
    // The body editor (editor.js) keeps the textarea in step; setting a field updates both.
    function setField(name, value) {
      var f = field(name);
      if (!f) return;
      f.value = value;
      if (name === "body") {
        var area = form.querySelector(".kiji-editor-area");
        if (area) area.innerHTML = value || "<p><br></p>";
      }
      f.dispatchEvent(new Event("input", {bubbles: true}));
    }

    // Choosing 非公開 in the status box asks the same question as the unpublish button.
    var statusBox = field("status"), statusBefore = statusBox && statusBox.value;
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("input[name=_unpublish][data-kiji-confirm]");
      if (!button || !statusBox || event.submitter === button) return;
      if (statusBox.value === "unpublished" && statusBefore !== "unpublished" &&
          !window.confirm(button.getAttribute("data-kiji-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    });

    function markDirty() { dirty = true; changedSince = changedSince || Date.now(); schedule(); }
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty || submitting) return;
      event.preventDefault();
      event.returnValue = "";  // the browser shows its own "leave this page?" question
    });

    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "s" || event.key === "S")) {
        event.preventDefault();
        var save = form.querySelector("input[name=_continue]") || form.querySelector("input[name=_save]");
        if (save && !event.isComposing) { if (form.requestSubmit) form.requestSubmit(save); else save.click(); }
      }
    });

    // Unpublish and other buttons that take something away from readers ask first.
    Array.prototype.forEach.call(form.querySelectorAll("[data-kiji-confirm]"), function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-kiji-confirm"))) event.preventDefault();
      });
    });

    if (!desk) return;  // a new article: no autosave or presence until it is saved once
    var every = (parseInt(desk.getAttribute("data-autosave-seconds"), 10) || 5) * 1000;
    var presenceUrl = desk.getAttribute("data-presence-url");
    var status = document.getElementById("kiji-autosave-status");

    function schedule() {
      if (timer) clearTimeout(timer);
      // A pause of 1.5 s in typing saves; so does `every` of continuous typing.
      var wait = Math.max(0, Math.min(1500, changedSince + every - Date.now()));
      timer = setTimeout(beat, wait);
    }
    function showOthers(names) {
      var box = document.getElementById("kiji-presence");
      if (!box) return;
      box.querySelector(".kiji-presence-names").textContent = names.join("、");
      box.hidden = !names.length;
    }
    function beat() {
      timer = null;
      var data = {};
      var saving = dirty && changedSince;
      if (saving) { data = values(); data.autosave = "1"; changedSince = 0; }
      lastSent = Date.now();
      post(presenceUrl, data).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
        if (!answer) return;
        showOthers(answer.others || []);
        if (answer.saved_at && status) status.textContent = "自動保存しました（" + answer.saved_at + "）";
      }).catch(function () {
        if (saving) { changedSince = changedSince || Date.now(); }  // try again with the next beat
        if (status) status.textContent = "自動保存できませんでした。接続を確認してください。";
      });
    }
    setInterval(function () { if (!timer && Date.now() - lastSent >= 10000) beat(); }, 2000);
    window.addEventListener("pagehide", function () {
      if (navigator.sendBeacon && !dirty) {
        var data = new FormData(); data.append("leave", "1"); data.append("csrfmiddlewaretoken", csrf());
        navigator.sendBeacon(presenceUrl, data);
      }
    });

    function readJSON(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
    var draftBox = document.getElementById("kiji-draft");
    if (draftBox) {
      draftBox.addEventListener("click", function (event) {
        var action = event.target.getAttribute && event.target.getAttribute("data-kiji-draft");
        if (action === "restore") {
          var draft = readJSON("kiji-draft-data") || {};
          FIELDS.forEach(function (name) { if (name in draft) setField(name, draft[name]); });
          markDirty();
        } else if (action === "discard") {
          post(presenceUrl, {discard: "1"});
        } else return;
        draftBox.hidden = true;
      });
    }
    var conflict = document.getElementById("kiji-conflict");
    if (conflict) {
      conflict.addEventListener("click", function (event) {
        var name = event.target.getAttribute && event.target.getAttribute("data-kiji-take");
        if (!name) return;
        var theirs = readJSON("kiji-conflict-data") || {};
        setField(name, theirs[name] || "");
        event.target.disabled = true;
        event.target.textContent = "取り込みました";
      });
    }
    var pane = document.getElementById("kiji-proofreading");
    var proofreadButton = pane && pane.querySelector("[data-kiji-proofread]");
    if (proofreadButton) {
      proofreadButton.addEventListener("click", function () {
        post(desk.getAttribute("data-proofread-url"), values()).then(function (r) { return r.json(); })
          .then(function (answer) {
            var list = pane.querySelector(".kiji-findings");
            list.textContent = "";
            (answer.findings.length ? answer.findings : [{message: "指摘はありません。"}]).forEach(function (f) {
              var li = document.createElement("li");
              li.className = "kiji-finding" + (f.kind ? " kiji-finding-" + f.kind : "");
              li.textContent = f.message + (f.suggestion ? " " + f.suggestion : "");
              list.appendChild(li);
            });
          });
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
