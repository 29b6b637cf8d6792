// Drafts that survive: every textarea with data-draft="KEY" is kept in this browser's storage as
// it is typed. Opening the page again brings the draft back: at once when the box is empty, or
// behind a "Restore" button when the page shows other text (a saved story). A draft that was
// submitted is forgotten on the next page, unless that page reports an error. Leaving the page
// with text not submitted asks first. Ctrl+Enter (Cmd+Enter) submits the form.
"use strict";
(function () {
  const store = (function () {
    try {
      const s = window.localStorage;
      s.setItem("debrief-probe", "1");
      s.removeItem("debrief-probe");
      return s;
    } catch (e) {
      return null;
    }
  })();

  if (store) {
    const failed = document.querySelector(".error[role=alert]:not([hidden])") !== null;
    const sent = [];
    for (let i = 0; i < store.length; i++) {
      const k = store.key(i);
      if (k && k.startsWith("sent:")) sent.push(k.slice(5));
    }
    for (const key of sent) {
      store.removeItem("sent:" + key);
      if (!failed) store.removeItem("draft:" + key);
    }
    const clear = document.querySelector('meta[name="clear-draft"]');
    if (clear && clear.content) store.removeItem("draft:" + clear.content);
  }

  let dirty = false;
  let submitting = false;

  function offer(area, saved, key) {
    const note = document.createElement("p");
    note.className = "draft-offer";
    note.setAttribute("role", "status");
    note.textContent = "This browser kept a draft you did not save. ";
    const restore = document.createElement("button");
    restore.type = "button";
    restore.textContent = "Restore the draft";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary";
    discard.textContent = "Discard it";
    restore.addEventListener("click", function () {
      area.value = saved;
      area.dispatchEvent(new Event("input", { bubbles: true }));
      note.remove();
      area.focus();
    });
    discard.addEventListener("click", function () {
      store.removeItem(key);
      note.remove();
      area.focus();
    });
    note.append(restore, " ", discard);
    const anchor = area.closest(".editor") || area;
    anchor.parentNode.insertBefore(note, anchor);
  }

  for (const area of document.querySelectorAll("textarea[data-draft]")) {
    const key = "draft:" + area.dataset.draft;
    const saved = store ? store.getItem(key) : null;
    if (saved && saved === area.value) {
      store.removeItem(key);
    } else if (saved && !area.value.trim()) {
      area.value = saved;
      dirty = true;
    } else if (saved) {
      offer(area, saved, key);
    }
    let timer = null;
    const keep = function () {
      if (!store) return;
      if (area.value.trim()) store.setItem(key, area.value);
      else store.removeItem(key);
    };
    area.addEventListener("input", function () {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(keep, 250);
    });
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && area.form) {
        e.preventDefault();
        area.form.requestSubmit();
      }
    });
    if (area.form) {
      area.form.addEventListener("submit", function () {
        submitting = true;
        clearTimeout(timer);
        keep();
        if (store) store.setItem("sent:" + area.dataset.draft, "1");
      });
    }
  }
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !submitting) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
})();
