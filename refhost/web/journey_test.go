package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/web/browsertest"
)

// checkInBrowser runs the checks every page gets in the browser: its transfer within the budgets,
// axe-core with no serious or critical violation, and a screenshot at both widths.
func checkInBrowser(t *testing.T, p *browsertest.Page, name string) {
	t.Helper()
	p.Transfer().RequireWithin(t, browsertest.PageBudget, browsertest.ScriptBudget)
	p.CheckAccessibility(t)
	p.Screenshots(t, name)
}

// TestJourneyInTheBrowser drives Chromium through the pages of this package on demo data: sign
// up, confirm by the emailed link, sign in, try the demo and watch the import's progress reach
// done, read the dashboard, open a trade and its evidence, dispute a label, sign out — with no
// console error or CSP violation, each page accessible and within its budget.
func TestJourneyInTheBrowser(t *testing.T) {
	b := browsertest.Start(t)
	h := newHost(t)
	p := b.NewPage(t, browsertest.Desktop)
	base := h.edge.URL
	const email, pw = "journey@example.com", "a long journey password"

	p.Navigate(base + "/signup")
	checkInBrowser(t, p, "signup")
	p.Fill("#email", email)
	p.Fill("#password", pw)
	p.Submit("#password")
	p.WaitText("main h1", "Check your email")

	ms := h.mail.To(email)
	if len(ms) != 1 {
		t.Fatalf("%d mails", len(ms))
	}
	link := regexp.MustCompile(`http://\S+/signup/confirm#token=\S+`).FindString(ms[0].Text)
	p.Navigate(link)
	checkInBrowser(t, p, "signup-confirm")
	p.Submit("form[data-token-form] button")
	p.WaitText("main", "Your account is ready")
	checkInBrowser(t, p, "signin")
	p.Fill("#email", email)
	p.Fill("#password", pw)
	p.Submit("#password")
	p.WaitText("main", "No trades yet.")
	checkInBrowser(t, p, "dashboard-empty")

	p.Navigate(base + "/app/onboarding")
	checkInBrowser(t, p, "onboarding")
	p.Submit(`input[value="demo"] ~ button`)
	p.WaitText("[data-import-status]", "Done:")
	if st := p.Text("[data-import-status]"); !regexp.MustCompile(`Done: \d+ fills fetched, \d+ new`).MatchString(st) {
		t.Fatalf("the progress says %q", st)
	}
	p.Screenshots(t, "onboarding-done")

	p.Navigate(base + "/app")
	p.WaitVisible("svg.chart")
	checkInBrowser(t, p, "dashboard")
	p.ClickAndWait(`a[href^="/app/trades/"]`)
	p.WaitText("main", "Fills of this order")
	checkInBrowser(t, p, "trade")
	if strings.Contains(p.Text("main"), "This does not fit") {
		p.Click("details:has(form) > summary")
		p.Click(`input[name="reason"][value="plan"]`)
		p.Run(chromedp.SendKeys(chromedp.CSS(`textarea[name="note"]`), "it was my plan")) // Fill clears first, which an empty textarea refuses
		p.Submit(`input[name="reason"][value="plan"]`)
		p.WaitText("main", "You disputed this label: “it was my plan”")
	}
	p.Submit(`form.signout button`)
	p.WaitText("main", "You are signed out.")
	p.Navigate(base + "/app")
	if !strings.Contains(p.URL(), "/signin") {
		t.Fatalf("after signing out /app shows %s", p.URL())
	}
	p.RequireNoProblems(t)
}

// collectReflections makes every document of p record the coach.reflect events live.js hands
// it, and the times it reconnected, in window.__coachSeen.
const collectReflections = `window.__coachSeen = {ids: [], opened: 0};
document.addEventListener("coach:coach.reflect", (e) => window.__coachSeen.ids.push(e.detail.eventId));
document.addEventListener("coach:status", (e) => { if (e.detail.state === "open") window.__coachSeen.opened++; });`

// TestWebSocketResumesInTheBrowser: the connection of live.js is cut while the coach's
// reflections on the demo import arrive; it reconnects with the last event id it saw, and the
// page gets every reflection committed after it asked, each once.
func TestWebSocketResumesInTheBrowser(t *testing.T) {
	b := browsertest.Start(t)
	h := newHost(t)
	id := h.user("ws@example.com", "a long enough password")
	p := b.NewPage(t, browsertest.Desktop)
	p.Run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: collectReflections})
		return err
	}))
	p.Navigate(h.edge.URL + "/signin")
	p.Fill("#email", "ws@example.com")
	p.Fill("#password", "a long enough password")
	p.Submit("#password")
	p.Navigate(h.edge.URL + "/app/onboarding")
	p.Submit(`input[value="demo"] ~ button`)
	seen := func() (ids []string, opened int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(p.Context(), 5*time.Second)
		defer cancel()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
			IDs    []string `json:"ids"`
			Opened int      `json:"opened"`
		}](`window.__coachSeen`))
		if err != nil {
			t.Fatal(err)
		}
		return got.IDs, got.Opened
	}
	waitFor(t, "the first reflection in the page", time.Minute, func() bool { ids, _ := seen(); return len(ids) > 0 })
	h.cut()
	var want []string
	defer func() { // on a timeout, say how far it got
		if t.Failed() {
			ids, opened := seen()
			t.Logf("at the end: %d reflections committed, %d seen in the page, %d connections opened", len(want), len(ids), opened)
		}
	}()
	waitFor(t, "every reflection, once, after the cut", 2*time.Minute, func() bool {
		var evs struct {
			Events []coach.Event `json:"events"`
		}
		h.coreGet(id, "/events?limit=1000", &evs)
		want = want[:0]
		for _, e := range evs.Events {
			if e.Type == coach.EventCoachReflect {
				want = append(want, e.ID)
			}
		}
		ids, opened := seen()
		return opened >= 2 && len(ids) >= len(want) && len(want) > 0
	})
	ids, opened := seen()
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Fatalf("reflections in the page (-committed +seen), %d reconnects:\n%s", opened-1, diff)
	}
	t.Logf("%d reflections, each once, across %d connections", len(ids), opened)
	p.RequireNoProblems(t)
}
