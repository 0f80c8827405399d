// coach.js: the Coach page's live parts. live.js dispatches each event once; this adds a
// reflection (coach.reflect) at the top of the list, and an answer (coach.answer) asked from
// another tab, unless an element with its id is already there (rendered by the server, or added
// before a reconnect). DOM APIs and textContent only (Trusted Types).
const list = document.getElementById("reflections");
const answers = document.getElementById("answers");
const status = document.getElementById("live-status");

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const names = { FOMO: "FOMO", PANIC: "Panic", REVENGE: "Revenge", DISCIPLINE: "Discipline",
  OVERTRADING: "Overtrading", DISPOSITION: "Disposition effect", LOSS_CHASING: "Loss chasing",
  HOLDING_LOSERS: "Holding losers" };

document.addEventListener("coach:coach.reflect", (ev) => {
  const f = ev.detail;
  const p = f.payload || {};
  if (!list || !f.eventId || list.querySelector('[data-event-id="' + CSS.escape(f.eventId) + '"]')) return;
  const li = el("li", "card reflection fresh");
  li.dataset.eventId = f.eventId;
  const meta = el("p", "meta");
  meta.append(el("span", "chip", names[p.label] || String(p.label || "")), " ");
  const when = el("time", "muted", new Date(f.ts).toLocaleString());
  when.dateTime = f.ts;
  const conf = typeof p.confidence === "number" ? "confidence " + Math.round(p.confidence * 100) + "% · " : "";
  const m = el("span", "muted", conf);
  m.append(when);
  meta.append(m);
  li.append(meta, el("p", "", String(p.text || "")));
  if (p.tradeId) {
    const a = el("a", "", "Open the trade");
    a.href = "/app/trades/" + encodeURIComponent(p.tradeId);
    const para = el("p");
    para.append(a);
    li.append(para);
  }
  list.prepend(li);
  const empty = document.getElementById("reflections-empty");
  if (empty) empty.remove();
  if (status) status.textContent = "A new reflection arrived.";
});

document.addEventListener("coach:coach.answer", (ev) => {
  const p = ev.detail.payload || {};
  if (!answers || !p.questionId || document.getElementById("q-" + p.questionId)) return;
  const li = el("li", "answer");
  li.id = "q-" + p.questionId;
  li.append(el("p", "a", String(p.text || "")),
    el("p", "hint", "An answer to a question asked elsewhere. Reload the page to see the question and its evidence."));
  answers.prepend(li);
});

document.addEventListener("coach:status", (ev) => {
  if (!status) return;
  status.textContent = ev.detail.state === "open"
    ? "Live: new reflections appear here as your trades are labelled."
    : "Reconnecting… reflections written meanwhile will appear when the connection is back.";
});
