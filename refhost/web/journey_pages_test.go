package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/web/browsertest"
)

// The browser journey through the Coach, Digest, Simulations, Rules and Settings pages, on demo
// data, in headless Chromium under the edge's CSP: read reflections as they arrive, with the
// WebSocket cut in the middle and resumed without losing or repeating one; ask the coach; create
// a rule (checked as typed); run a simulation; open the digest; export; erase the account. Each
// page is checked for console errors and CSP or Trusted Types violations, accessibility (axe,
// no serious or critical violation) and its transfer budget, and screenshotted at desktop and
// phone width.

// socketSpy records the page's WebSockets so that the test can cut them (it runs before the
// page's own scripts, as DevTools injects it, outside the page's CSP).
const socketSpy = `(() => {
	const Native = window.WebSocket;
	window.__sockets = [];
	window.WebSocket = class extends Native {
		constructor(...args) { super(...args); window.__sockets.push(this); }
	};
})()`

// reflect appends a coach.reflect event for the user, as scoring does, and returns its id.
func (h *host) reflect(userID, text string) string {
	h.t.Helper()
	var trades struct {
		Trades []coach.Trade `json:"trades"`
	}
	h.callCore(userID, "GET", "/trades?limit=1", nil, &trades)
	tradeID := coach.NewID()
	if len(trades.Trades) > 0 {
		tradeID = trades.Trades[0].ID
	}
	e, err := coach.NewEvent(userID, coach.EventCoachReflect, 1, coach.ReflectPayload{TagID: coach.NewID(), TradeID: tradeID,
		Label: coach.LabelFOMO, Confidence: 0.8, Text: text})
	if err != nil {
		h.t.Fatal(err)
	}
	evs, err := h.in.Store.Events().Append(context.Background(), e)
	if err != nil {
		h.t.Fatal(err)
	}
	return evs[0].ID
}

// count is the number of elements matching sel.
func count(t *testing.T, p *browsertest.Page, sel string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.Context(), p.Timeout)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// ready reports whether the simulation's page shows a finished run (false while it is pending or
// reloading).
func ready(p *browsertest.Page) bool {
	ctx, cancel := context.WithTimeout(p.Context(), 2*time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && !document.getElementById("pending") && !!document.querySelector("main h1")`))
	return err == nil && ok
}

// checkBrowserPage runs the checks every page of the journey gets.
func checkBrowserPage(t *testing.T, p *browsertest.Page, name string) {
	t.Helper()
	p.Transfer().RequireWithin(t, browsertest.PageBudget, browsertest.ScriptBudget)
	p.CheckAccessibility(t)
	p.Screenshots(t, name)
	p.RequireNoProblems(t)
}

func TestJourneyCoachDigestSimulationsRulesSettings(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser journey")
	}
	b := browsertest.Start(t)
	h := newHost(t)
	id, _ := h.demoAccount("journey@example.com")
	h.putDigest(id)

	p := b.NewPage(t, browsertest.Desktop)
	p.Timeout = 30 * time.Second
	p.Run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: socketSpy})
		return err
	}))
	p.Navigate(h.edge.URL + "/signin")
	p.Fill("#email", "journey@example.com")
	p.Fill("#password", "a long enough password")
	p.Submit("#password")

	// Coach: reflections arrive live; the connection is cut and resumes without a loss or a repeat.
	p.Navigate(h.edge.URL + "/app/coach")
	p.WaitText("#live-status", "Live:")
	before := count(t, p, "#reflections > li")
	r1 := h.reflect(id, "A reflection written while you watch.")
	p.WaitVisible(fmt.Sprintf(`[data-event-id="%s"]`, r1))
	checkBrowserPage(t, p, "coach")

	p.Run(chromedp.Evaluate[chromedp.Void](`window.__sockets.forEach((s) => s.close())`))
	p.WaitText("#live-status", "Reconnecting")
	r2 := h.reflect(id, "A reflection written while the connection was down.")
	r3 := h.reflect(id, "Another one written while the connection was down.")
	p.WaitVisible(fmt.Sprintf(`[data-event-id="%s"]`, r3))
	p.WaitVisible(fmt.Sprintf(`[data-event-id="%s"]`, r2))
	r4 := h.reflect(id, "One written after the connection came back.")
	p.WaitVisible(fmt.Sprintf(`[data-event-id="%s"]`, r4))
	for _, r := range []string{r1, r2, r3, r4} {
		if n := count(t, p, fmt.Sprintf(`[data-event-id="%s"]`, r)); n != 1 {
			t.Errorf("reflection %s is shown %d times", r, n)
		}
	}
	if n := count(t, p, "#reflections > li"); n != before+4 {
		t.Errorf("%d reflections after four arrived, %d before", n, before)
	}
	if first := p.Text("#reflections > li:first-child"); !strings.Contains(first, "after the connection came back") {
		t.Errorf("the newest reflection is not first: %q", first)
	}
	p.RequireNoProblems(t)

	// Ask the coach.
	p.Run(chromedp.SendKeys(chromedp.CSS("#question"), "Why was my last buy labelled FOMO?")) // an empty textarea: nothing to clear
	p.Submit("#question")
	p.WaitText(".answer.asked", "Why was my last buy labelled FOMO?")
	p.RequireNoProblems(t)

	// Rules: the field is checked as it is typed, then the rule is created.
	p.Navigate(h.edge.URL + "/app/rules")
	checkBrowserPage(t, p, "rules")
	p.Fill("#create-maxTradesPerDay-n", "0")
	p.WaitText("#create-maxTradesPerDay-n-error", "Must be at least 1.")
	p.Fill("#create-maxTradesPerDay-n", "4")
	p.WaitText("#create-maxTradesPerDay-n-error", "")
	p.Submit("#create-maxTradesPerDay-n")
	p.WaitText(".rule-list", "At most 4 trades a day.")
	p.RequireNoProblems(t)

	// Simulations: run one; its page shows it pending, then ready.
	p.Navigate(h.edge.URL + "/app/simulations")
	checkBrowserPage(t, p, "simulations")
	p.Submit(`form[action="/app/simulations"] button[type="submit"]`)
	// simulation.js reloads the page when simulation.ready arrives: wait across that reload.
	deadline := time.Now().Add(30 * time.Second)
	for !ready(p) {
		if time.Now().After(deadline) {
			t.Fatal("the simulation's page does not show its result 30 s after it was asked for")
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.WaitText("main", "Difference")
	checkBrowserPage(t, p, "simulation")

	// Digest.
	p.Navigate(h.edge.URL + "/app/digest")
	p.WaitText(".suggestion", "Why the two figures differ")
	checkBrowserPage(t, p, "digest")

	// Settings: export, then erase.
	p.Navigate(h.edge.URL + "/app/settings")
	checkBrowserPage(t, p, "settings")
	p.Submit(`#export form button[type="submit"]`)
	p.WaitText(".notice", "Your export is being built")
	deadline = time.Now().Add(30 * time.Second)
	for count(t, p, `#export a[download]`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no download link 30 s after asking for an export")
		}
		time.Sleep(300 * time.Millisecond)
		p.Navigate(h.edge.URL + "/app/settings")
	}
	p.Fill("#confirm", "not sure")
	p.Submit("#confirm")
	p.WaitText("#confirm-error", "Nothing was erased.")
	p.ClearProblems() // the browser logs the refused form's 422 as a failed load: that one is expected
	p.Fill("#confirm", "erase")
	p.Submit("#confirm")
	p.WaitText("main", "Your account is being erased")
	p.RequireNoProblems(t)

	// The phone width: the same pages, screenshotted and checked by axe at 390 px.
	_ = h.user("phone@example.com", "a long enough password")
	ph := b.NewPage(t, browsertest.Phone)
	ph.Navigate(h.edge.URL + "/signin")
	ph.Fill("#email", "phone@example.com")
	ph.Fill("#password", "a long enough password")
	ph.Submit("#password")
	for _, path := range []string{"/app/coach", "/app/digest", "/app/simulations", "/app/rules", "/app/settings"} {
		ph.Navigate(h.edge.URL + path)
		ph.CheckAccessibility(t)
		ph.RequireNoProblems(t)
	}
}
