// live.js: the signed-in pages' one connection to /ws/coach (protocol: transport/ws/doc.go).
// It resumes after the last event this tab saw (kept in sessionStorage), reconnects with backoff,
// drops an event it has already seen, and dispatches each event on document as a CustomEvent
// "coach:<type>" whose detail is the frame ({type, eventId, ts, v, payload}). The connection's
// state goes out as "coach:status" with detail {state: "open" | "closed"}.
const KEY = "coach.lastEventId";
const seen = new Set();
// A page that follows something it has just started (an import) names the event to resume after,
// so that nothing of it is missed: the earlier of that and the tab's own cursor wins.
const since = (document.querySelector("[data-coach-since]") || { dataset: {} }).dataset.coachSince || "";
let last = sessionStorage.getItem(KEY) || "";
if (since && (!last || since < last)) last = since;
let delay = 1000;
let failures = 0;

function emit(name, detail) {
  document.dispatchEvent(new CustomEvent(name, { detail }));
}

function remember(id) {
  last = id;
  sessionStorage.setItem(KEY, id);
}

function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const q = last ? "?lastEventId=" + encodeURIComponent(last) : "";
  const ws = new WebSocket(proto + "//" + location.host + "/ws/coach" + q);
  let opened = false;
  ws.addEventListener("open", () => { opened = true; });
  ws.addEventListener("message", (m) => {
    let f;
    try { f = JSON.parse(m.data); } catch { return; }
    if (f.eventId) {
      // Ids grow per user in commit order: one not above the last is a repeat.
      if (seen.has(f.eventId) || (last && f.eventId <= last)) return;
      seen.add(f.eventId);
      remember(f.eventId);
      emit("coach:" + f.type, f);
      return;
    }
    if (f.type === "ready") {
      if (!last && f.lastEventId) remember(f.lastEventId);
      delay = 1000;
      failures = 0;
      emit("coach:status", { state: "open" });
    } else if (f.type === "gone") {
      last = "";
      sessionStorage.removeItem(KEY);
      emit("coach:gone", f);
    }
  });
  ws.addEventListener("close", (c) => {
    emit("coach:status", { state: "closed" });
    if (c.code === 4429) return; // too many tabs: this one stays quiet
    if (c.code === 4410) { last = ""; sessionStorage.removeItem(KEY); }
    if (!opened && ++failures >= 3 && last) {
      // A cursor the relay refuses (another user's, or too new): start from live events.
      last = "";
      sessionStorage.removeItem(KEY);
    }
    const wait = delay + Math.random() * delay / 2;
    delay = Math.min(delay * 2, 30000);
    setTimeout(connect, wait);
  });
}

if ("WebSocket" in window) connect();
