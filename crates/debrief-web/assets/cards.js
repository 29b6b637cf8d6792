// Flashcard keys: Space or Enter shows the answer, 1 to 4 rate the card.
"use strict";
(function () {
  const answer = document.getElementById("answer");
  const form = document.getElementById("rate-form");
  if (!answer || !form) return;
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target instanceof HTMLElement && e.target.closest("input, textarea, select")) return;
    if ((e.key === " " || e.key === "Enter") && !answer.open) {
      e.preventDefault();
      answer.open = true;
      form.querySelector("button").focus();
    } else if (answer.open && ["1", "2", "3", "4"].includes(e.key)) {
      e.preventDefault();
      form.querySelector('button[value="' + e.key + '"]').click();
    }
  });
})();
