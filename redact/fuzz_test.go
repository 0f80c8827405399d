package redact_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tradecoach/coach/redact"
)

// anyAddress is a looser pattern than the package's own: whatever still looks like
// local@domain.tld after Text is a leak.
var anyAddress = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

func FuzzTextLeavesNoAddress(f *testing.F) {
	for _, s := range []string{"ana@example.com", "a@b.io@c.io", "x ana@example.com, bob@ex.org!", "@@", "no address", "a@b", "é@ü.de a.b@c.d.ef"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := redact.Text(testKey, s)
		if m := anyAddress.FindString(got); m != "" {
			t.Fatalf("Text(%q) = %q still holds %q", s, got, m)
		}
		if !strings.Contains(s, "@") && got != s {
			t.Fatalf("Text changed %q without an address to %q", s, got)
		}
	})
}
