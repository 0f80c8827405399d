package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/refhost/web"
)

func TestZeroValues(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*web.Web)(nil)})
}

// inline finds what the CSP refuses: an inline script, a style element or attribute, an event
// handler attribute, a javascript: URL.
var inline = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)

// checkPage fails on what no page may carry: content the CSP refuses, or a stack trace.
func checkPage(t *testing.T, p page) {
	t.Helper()
	if m := inline.FindString(p.body); m != "" {
		t.Errorf("%s carries %q, which the CSP refuses", p.path, m)
	}
	for _, leak := range []string{"goroutine ", ".go:", "panic:", "runtime error", "sql:", "pgx"} {
		if strings.Contains(p.body, leak) {
			t.Errorf("%s shows %q", p.path, leak)
		}
	}
}

func TestVisitorIsSentToSignIn(t *testing.T) {
	h := newHost(t)
	b := h.browser()
	for _, path := range []string{"/", "/app", "/app/trades/x", "/app/settings"} {
		p := b.get(path)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/signin") {
			t.Errorf("GET %s as a visitor: %d to %q, want 303 to /signin", path, p.status, p.header.Get("Location"))
		}
	}
	for _, path := range []string{"/signin", "/signup", "/signup/sent", "/signup/confirm", "/reset", "/reset/sent", "/reset/confirm"} {
		checkPage(t, b.get(path).mustStatus(t, http.StatusOK))
	}
	checkPage(t, b.get("/no/such/page").mustStatus(t, http.StatusNotFound))
}

func TestSignedInPagesRender(t *testing.T) {
	h := newHost(t)
	h.user("ana@example.com", "a long enough password")
	b := h.browser()
	b.signIn("ana@example.com", "a long enough password")
	if p := b.get("/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/app" {
		t.Fatalf("/ when signed in: %d to %q", p.status, p.header.Get("Location"))
	}
	for _, path := range []string{"/app", "/app/onboarding", "/app/coach", "/app/digest", "/app/simulations", "/app/rules", "/app/settings"} {
		p := b.get(path).mustStatus(t, http.StatusOK)
		checkPage(t, p)
		if !strings.Contains(p.body, `action="/auth/logout"`) {
			t.Errorf("%s has no sign-out button", path)
		}
	}
	p := b.post("/auth/logout", nil)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/signin") {
		t.Fatalf("sign out: %d to %q", p.status, p.header.Get("Location"))
	}
	if p := b.get("/app"); p.status != http.StatusSeeOther {
		t.Fatalf("/app after sign-out: %d", p.status)
	}
}

func TestDemoUserPages(t *testing.T) {
	h := newHost(t)
	b, _, tagged := h.demoUser("demo@example.com")
	dash := b.get("/app").mustStatus(t, http.StatusOK)
	checkPage(t, dash)
	for _, want := range []string{"Realized P/L", "<svg", "Recent trades", `href="/app/trades/`} {
		if !strings.Contains(dash.body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	trade := b.get("/app/trades/" + tagged).mustStatus(t, http.StatusOK)
	checkPage(t, trade)
	for _, want := range []string{"What the coach noticed", "Why?", "Definition version", "This does not fit", "Add a note"} {
		if !strings.Contains(trade.body, want) {
			t.Errorf("the trade page lacks %q", want)
		}
	}
	label := regexp.MustCompile(`name="label" value="([A-Z_]+)"`).FindStringSubmatch(trade.body)
	if label == nil {
		t.Fatal("no label to dispute")
	}
	p := b.post("/app/trades/"+tagged, url.Values{"action": {"dispute"}, "label": {label[1]}, "reason": {"plan"}, "note": {"my plan"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/app/trades/"+tagged) {
		t.Fatalf("dispute: %d to %q\n%.1500s", p.status, p.header.Get("Location"), p.body)
	}
	after := b.get("/app/trades/" + tagged).mustStatus(t, http.StatusOK)
	if !strings.Contains(after.body, "You disputed this label: “my plan”") || !strings.Contains(after.body, "Withdraw the dispute") {
		t.Error("the dispute does not show after the redirect")
	}
	p = b.post("/app/trades/"+tagged, url.Values{"action": {"note"}, "text": {"entered on the breakout"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("note: %d\n%.1500s", p.status, p.body)
	}
	if !strings.Contains(b.get("/app/trades/"+tagged).body, "entered on the breakout") {
		t.Error("the note does not show")
	}
	// An empty note renders the form again with the field's message, 422.
	p = b.post("/app/trades/"+tagged, url.Values{"action": {"note"}, "text": {"  "}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Write the note first.") {
		t.Fatalf("an empty note: %d\n%.1500s", p.status, p.body)
	}
	checkPage(t, p)
	// Another user's trade, or none, is a plain not-found page.
	if p := b.get("/app/trades/nosuchtrade"); p.status != http.StatusNotFound || !strings.Contains(p.body, "does not exist") {
		t.Fatalf("an unknown trade: %d", p.status)
	}
}
