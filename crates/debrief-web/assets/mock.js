// The countdown of the mock interview and the explain drill: visible every second, announced to
// screen readers only at one minute left and at time up. Announcements are kept by threshold,
// not by exact second, so a tab that slept through the minute still says it once it wakes.
"use strict";
(function () {
  const clock = document.getElementById("countdown");
  if (!clock) return;
  const said = document.getElementById("countdown-said");
  const end = Date.now() + Number(clock.dataset.seconds) * 1000;
  const area = document.querySelector("[data-autofocus]");
  if (area) area.focus();
  let announced = Number(clock.dataset.seconds) <= 0 ? 2 : Number(clock.dataset.seconds) <= 60 ? 1 : 0;
  function tick() {
    const left = Math.round((end - Date.now()) / 1000);
    const shown = Math.abs(left);
    clock.textContent = (left < 0 ? "+" : "") + Math.floor(shown / 60) + ":" + String(shown % 60).padStart(2, "0");
    clock.classList.toggle("late", left < 0);
    if (left <= 0 && announced < 2) {
      said.textContent = "Time is up: wrap up your answer. Overtime is counted.";
      announced = 2;
    } else if (left <= 60 && announced < 1) {
      said.textContent = "One minute left.";
      announced = 1;
    }
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("visibilitychange", tick);
})();
