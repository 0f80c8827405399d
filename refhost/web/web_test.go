package web_test

import (
	"net/http"
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
	for _, leak := range []string{"goroutine ", ".go:", "panic", "runtime error", "sql:", "pgx"} {
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
