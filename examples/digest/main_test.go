package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRun builds the demo's digest, checks the figures hang together and that the report is
// self-contained, and that the same seed gives the same report.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "digest.html")
	var out bytes.Buffer
	p, err := run(context.Background(), &out, path, "Europe/Berlin", 42)
	if err != nil {
		t.Fatal(err)
	}
	if p.Week != "2026-W07" || p.TradeCount == 0 || p.Closes == 0 || len(p.CountsByBias) == 0 {
		t.Fatalf("digest of %s: %d trades, %d closes, labels %v", p.Week, p.TradeCount, p.Closes, p.CountsByBias)
	}
	if got := p.Labelled.Realized.Add(p.Unlabelled.Realized); !got.Equal(p.Realized) {
		t.Errorf("labelled + unlabelled = %s, realized %s", got, p.Realized)
	}
	if p.VsPreviousWeek == nil || p.Streaks == nil || len(p.RuleViolations) != len(traderRules) {
		t.Errorf("vsPreviousWeek %v, streaks %v, %d rules", p.VsPreviousWeek, p.Streaks, len(p.RuleViolations))
	}
	html, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	low := strings.ToLower(string(html))
	for _, bad := range []string{"<script", "http://", "https://"} {
		if strings.Contains(low, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	text := out.String()
	for _, want := range []string{
		`Weekly digest 2026-W07 \(2026-02-09 to 2026-02-15, Europe/Berlin\)`,
		`\d+ trades on \d days, \d+ closes, realized [+-]\d+\.\d\d USDT`,
		`\(any label\) +\d+ +\d+ +[+-]?\d+\.\d\d`,
		`maxTradesPerDay +broken \d+ of \d+ decided`,
		`Suggestion \((label|rule|keep|none)\): \S`,
		`Wrote .*digest\.html`,
	} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	for l := range p.CountsByBias {
		if !strings.Contains(text, "  "+l+" ") {
			t.Errorf("summary lacks label %s", l)
		}
	}

	again := filepath.Join(dir, "again.html")
	if _, err := run(context.Background(), &bytes.Buffer{}, again, "Europe/Berlin", 42); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(again); !bytes.Equal(b, html) {
		t.Error("the same seed gave a different report")
	}
}

func TestRunBadZone(t *testing.T) {
	if _, err := run(context.Background(), &bytes.Buffer{}, filepath.Join(t.TempDir(), "x.html"), "Mars/Olympus", 42); err == nil {
		t.Error("an unknown time zone was accepted")
	}
}
