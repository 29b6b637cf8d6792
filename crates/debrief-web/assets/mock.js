// The countdown of the mock interview and the explain drill: visible every second, announced to screen readers only at
// one minute, thirty seconds and time up.
"use strict";
(function () {
  const clock = document.getElementById("countdown");
  if (!clock) return;
  const said = document.getElementById("countdown-said");
  const end = Date.now() + Number(clock.dataset.seconds) * 1000;
  const area = document.querySelector("textarea[data-autofocus]");
  if (area) area.focus();
  function tick() {
    const left = Math.round((end - Date.now()) / 1000);
    const shown = Math.abs(left);
    clock.textContent = (left < 0 ? "+" : "") + Math.floor(shown / 60) + ":" + String(shown % 60).padStart(2, "0");
    clock.classList.toggle("late", left < 0);
    if (left === 60) said.textContent = "One minute left.";
    if (left === 30) said.textContent = "Thirty seconds left.";
    if (left === 0) said.textContent = "Time is up: wrap up your answer.";
  }
  tick();
  setInterval(tick, 1000);
})();
