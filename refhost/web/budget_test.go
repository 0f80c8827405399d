package web_test

import (
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tradecoach/coach/refhost/web"
)

// Budgets of issue 18: every page transfers at most 100 KB on first load (compressed), with at
// most 20 KB of JavaScript in all.
const (
	pageBudget = 100 << 10
	jsBudget   = 20 << 10
)

var assetRef = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// TestPageBudgets loads each page of a demo user as a browser's first visit would (the page
// and the assets it names, gzip accepted) and checks the bytes on the wire, and the JavaScript
// shipped in all.
func TestPageBudgets(t *testing.T) {
	h := newHost(t)
	b, _, tagged := h.demoUser("budget@example.com")
	jsTotal := 0
	for _, path := range []string{"/app", "/app/onboarding", "/app/trades/" + tagged, "/app/coach", "/app/digest",
		"/app/simulations", "/app/rules", "/app/settings", "/signin"} {
		page := b.do("GET", path, "", nil, map[string]string{"Accept-Encoding": "gzip"}).mustStatus(t, http.StatusOK)
		if page.header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s is not compressed", path)
		}
		html := gunzip(t, page.body)
		total := len(page.body)
		for _, m := range assetRef.FindAllStringSubmatch(html, -1) {
			a := b.do("GET", strings.ReplaceAll(m[1], "&amp;", "&"), "", nil, map[string]string{"Accept-Encoding": "gzip"}).mustStatus(t, http.StatusOK)
			if !strings.Contains(a.header.Get("Cache-Control"), "immutable") {
				t.Errorf("%s is not cached for long: %q", m[1], a.header.Get("Cache-Control"))
			}
			total += len(a.body)
		}
		t.Logf("%-40s %6d bytes compressed (page %d, HTML %d uncompressed)", path, total, len(page.body), len(html))
		if total > pageBudget {
			t.Errorf("%s transfers %d bytes, over the budget of %d", path, total, pageBudget)
		}
	}
	err := fs.WalkDir(web.StaticFiles(), "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".js") {
			raw, _ := fs.ReadFile(web.StaticFiles(), p)
			jsTotal += len(raw)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("JavaScript in all: %d bytes uncompressed", jsTotal)
	if jsTotal > jsBudget {
		t.Errorf("%d bytes of JavaScript, over the budget of %d", jsTotal, jsBudget)
	}
}

func gunzip(t *testing.T, body string) string {
	t.Helper()
	r, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
