/* The reports form shows only the fields of the chosen period: a day, a month, or a from-to range. The hidden
   ones are disabled too, so the address of the report carries only what was chosen. */
(function () {
  "use strict";
  const period = Loket.$("period");
  if (!period) return;
  function sync() {
    document.querySelectorAll("[data-period-field]").forEach((row) => {
      const on = row.dataset.periodField === period.value;
      row.hidden = !on;
      row.querySelectorAll("input, select").forEach((f) => { f.disabled = !on; });
    });
  }
  period.addEventListener("change", sync);
  sync();
})();
