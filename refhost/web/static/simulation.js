// simulation.js: a pending simulation's page reloads itself when its simulation.ready event
// arrives (live.js dispatches it), so the result appears without a click.
const pending = document.getElementById("pending");
if (pending) {
  document.addEventListener("coach:simulation.ready", (ev) => {
    const p = ev.detail.payload || {};
    if (p.runId === pending.dataset.runId) location.reload();
  });
  // A simulation.ready sent before this page's connection opened: look again once it is open.
  document.addEventListener("coach:status", (ev) => {
    if (ev.detail.state === "open") {
      fetch(location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then((r) => r.text())
        .then((t) => { if (!t.includes('id="pending"')) location.reload(); })
        .catch(() => {});
    }
  }, { once: true });
}
