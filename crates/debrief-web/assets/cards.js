// Flashcard keys, as Anki has them: Space or Enter shows the answer, and once it is shown rates
// the card Good (never Again, whatever has the focus); 1 to 4 rate it; U undoes the last rating.
"use strict";
(function () {
  const answer = document.getElementById("answer");
  const form = document.getElementById("rate-form");
  const undo = document.getElementById("undo-form");
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target instanceof HTMLElement && e.target.closest("input, textarea, select")) return;
    if (undo && (e.key === "u" || e.key === "U")) {
      e.preventDefault();
      undo.requestSubmit();
      return;
    }
    if (!answer || !form) return;
    const good = form.querySelector('button[value="3"]');
    if ((e.key === " " || e.key === "Enter") && !answer.open) {
      e.preventDefault();
      answer.open = true;
      good.focus();
    } else if (answer.open && (e.key === " " || (e.key === "Enter" && !(e.target instanceof HTMLButtonElement)))) {
      // Space means Good whatever button has the focus (a focused Again would otherwise take
      // it as its own click); Enter on a button the candidate chose is that button's.
      e.preventDefault();
      good.click();
    } else if (answer.open && ["1", "2", "3", "4"].includes(e.key)) {
      e.preventDefault();
      form.querySelector('button[value="' + e.key + '"]').click();
    }
  });
})();
