// onboarding.js: drives the import's progress from import.progress events (live.js), showing
// the import's own phase and counts; the bar stays indeterminate until the import is done.
const box = document.querySelector("[data-import]");
if (box) {
  const id = box.dataset.import;
  const bar = box.querySelector("[data-import-bar]");
  const status = box.querySelector("[data-import-status]");
  const order = ["started", "fetching", "done"];
  const day = (s) => (s ? new Date(s).toLocaleDateString() : "");
  document.addEventListener("coach:import.progress", (e) => {
    const p = e.detail.payload || {};
    if (p.connectionId !== id) return;
    const at = order.indexOf(p.phase);
    for (const li of box.querySelectorAll("[data-phase]")) {
      const i = order.indexOf(li.dataset.phase);
      li.className = p.phase === "failed" ? "" : i < at || p.phase === "done" ? "done" : i === at ? "current" : "";
      if (i === at) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    }
    const counts = `${p.fetched || 0} fills fetched, ${p.inserted || 0} new, ${p.duplicates || 0} already here`;
    if (p.phase === "done") {
      bar.max = 1;
      bar.value = 1;
      status.textContent = `Done: ${counts}. The coach is reading them now.`;
    } else if (p.phase === "failed") {
      bar.max = 1;
      bar.value = 0;
      status.textContent = "The import stopped: " + ((p.error && p.error.message) || "an error") + ". " + counts + ".";
    } else {
      const span = p.windowEnd ? ` (through ${day(p.windowEnd)})` : "";
      status.textContent = (p.phase === "started" ? "Started" : "Fetching") + `: ${counts}${span}.`;
    }
  });
}
