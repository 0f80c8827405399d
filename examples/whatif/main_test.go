package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
)

var update = flag.Bool("update", false, "rewrite testdata/report.golden")

func csvOptions() options {
	return options{trades: "testdata/trades.csv", candles: "testdata/candles.csv", interval: coach.Hour1,
		scenario: `{"kind":"skipLabel","label":"FOMO"}`, slippageBps: "5"}
}

// TestReportOnSamples checks the report on the sample files against testdata/report.golden.
func TestReportOnSamples(t *testing.T) {
	var b bytes.Buffer
	if err := run(&b, csvOptions()); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("testdata/report.golden", b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/report.golden")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("report (-golden +got):\n%s", diff)
	}
}

// TestDemo runs every scenario on a short demo, twice: the reports are complete and identical.
func TestDemo(t *testing.T) {
	for _, sc := range []string{
		`{"kind":"skipLabel","label":"FOMO"}`,
		`{"kind":"noRevenge"}`,
		`{"kind":"holdInstead","label":"PANIC","until":"nCandles","n":24}`,
		`{"kind":"followRule","stopLossPct":3,"takeProfitPct":6}`,
	} {
		o := options{interval: coach.Hour1, scenario: sc, slippageBps: "5", seed: 42, days: 12}
		var a, b bytes.Buffer
		if err := run(&a, o); err != nil {
			t.Fatalf("%s: %v", sc, err)
		}
		if err := run(&b, o); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s: two runs differ", sc)
		}
		for _, part := range []string{"What if I had", "demo trader (seed 42, 12 days)", "realized", "unrealized", "total", "equity in USDT", "CHANGES ("} {
			if !strings.Contains(a.String(), part) {
				t.Errorf("%s: the report has no %q:\n%s", sc, part, a.String())
			}
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*options)
		want string
	}{
		{"trades without candles", func(o *options) { o.candles = "" }, "give both -trades and -candles"},
		{"bad scenario", func(o *options) { o.scenario = `{"kind":"sellAll"}` }, "scenario.kind"},
		{"bad slippage", func(o *options) { o.slippageBps = "lots" }, "slippage"},
		{"missing file", func(o *options) { o.trades = "testdata/nope.csv" }, "testdata/nope.csv"},
	} {
		o := csvOptions()
		tc.edit(&o)
		err := run(&bytes.Buffer{}, o)
		if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), tc.want) {
			t.Errorf("%s: %v, want EINVALID with %q", tc.name, err, tc.want)
		}
	}
}
