package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeVersion is the axe-core release the accessibility check runs, pinned in scripts/axe.
const AxeVersion = "4.14.1"

// AxeTags are the rule sets the check runs: WCAG 2.0 A and AA and WCAG 2.1 A and AA.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// AxePath is the axe.min.js the check injects: COACH_AXE, else where scripts/axe installs it,
// ${XDG_CACHE_HOME:-$HOME/.cache}/tradecoach-ci/axe-core-<AxeVersion>/axe.min.js.
func AxePath() string {
	if p := os.Getenv("COACH_AXE"); p != "" {
		return p
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "tradecoach-ci", "axe-core-"+AxeVersion, "axe.min.js")
}

// AxeViolation is one axe rule the page breaks, with the elements that break it.
type AxeViolation struct {
	ID      string    `json:"id"`     // the rule, e.g. "color-contrast", "label"
	Impact  string    `json:"impact"` // minor, moderate, serious or critical
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []AxeNode `json:"nodes"`
}

// AxeNode is one element that breaks a rule.
type AxeNode struct {
	Target  []string `json:"target"` // CSS selectors reaching it (through shadow roots or frames)
	HTML    string   `json:"html"`
	Summary string   `json:"summary"` // axe's failure summary: what to fix
}

// Serious reports whether the violation is of impact serious or critical.
func (v AxeViolation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

// String gives the rule, its impact, its help and each element's selector.
func (v AxeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    %s", strings.Join(n.Target, " >> "))
		if n.Summary != "" {
			fmt.Fprintf(&b, " — %s", strings.ReplaceAll(n.Summary, "\n", " "))
		}
	}
	return b.String()
}

// axeRun runs axe on the document with AxeTags and returns the violations in the shape of
// AxeViolation. axe's own result objects hold DOM references, so they are mapped first.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]})
	.then((r) => r.violations.map((v) => ({
		id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map((n) => ({target: n.target.map((t) => Array.isArray(t) ? t.join(" ") : String(t)),
			html: n.html, summary: n.failureSummary || ""})),
	})))`

// Axe runs axe-core (AxeVersion, from AxePath) in the page as it is now and returns every
// violation of AxeTags, of any impact. Without axe.min.js the test is skipped — or fails under
// COACH_REQUIRE_SERVICES=1; scripts/axe installs it.
//
// axe is evaluated through DevTools (Runtime.evaluate), which the page's CSP does not govern,
// so the page needs no exception for it.
func (p *Page) Axe(tb testing.TB) []AxeViolation {
	tb.Helper()
	src, err := p.browser.axeSource()
	if err != nil {
		missing(tb, "browsertest: no axe-core (run scripts/axe, or set COACH_AXE): %v", err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, 2*p.Timeout)
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === "object" && typeof axe.run === "function"`))
	if err != nil {
		tb.Fatalf("browsertest: axe: %v", err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			tb.Fatalf("browsertest: loading axe-core: %v", err)
		}
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]AxeViolation](
		fmt.Sprintf(axeRun, jsStrings(AxeTags)), chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("browsertest: running axe: %v", err)
	}
	return vs
}

// CheckAccessibility runs Axe and fails tb, listing them, on every violation of impact serious
// or critical. It returns all violations, the minor and moderate ones included.
func (p *Page) CheckAccessibility(tb testing.TB) []AxeViolation {
	tb.Helper()
	vs := p.Axe(tb)
	var serious []string
	for _, v := range vs {
		if v.Serious() {
			serious = append(serious, "  "+v.String())
		}
	}
	if len(serious) > 0 {
		tb.Errorf("browsertest: axe-core %s finds %d serious or critical violation(s) on %s:\n%s",
			AxeVersion, len(serious), p.URL(), strings.Join(serious, "\n"))
	}
	return vs
}

// axeSource reads axe.min.js once per browser.
func (b *Browser) axeSource() (string, error) {
	b.axeOnce.Do(func() {
		var src []byte
		src, b.axeErr = os.ReadFile(filepath.Clean(AxePath()))
		b.axeSrc = string(src)
	})
	return b.axeSrc, b.axeErr
}

// jsStrings is a JavaScript array literal of ss.
func jsStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = jsString(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}
