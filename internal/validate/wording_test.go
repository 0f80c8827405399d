package validate_test

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker/brokertest"
)

// TestDemoReflectionsStayCurious scores the demo persona (two seeds, every trade's rules kept so
// that the praise shows too), writes the reflection of every tag and of every account window, and
// scans them for the judgmental and causal phrases and nudges to close a position listed in
// bias/testdata/forbidden_phrases.txt (the list bias's own template test reads).
func TestDemoReflectionsStayCurious(t *testing.T) {
	t.Parallel()
	bad := readPhrases(t, "../../bias/testdata/forbidden_phrases.txt")
	labels := map[string]int{}
	for _, seed := range []int64{1, 2} {
		d, err := brokertest.NewDemo(seed, brokertest.DemoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		candles := bias.CandleSeries{}
		for _, sym := range d.Symbols() {
			cs, err := d.Candles(context.Background(), sym, coach.Hour1, d.Start(), d.End())
			if err != nil {
				t.Fatal(err)
			}
			candles[sym] = cs
		}
		cfg := bias.DefaultConfig()
		cfg.Rules = func(coach.Trade) bias.Verdict { return bias.Verdict{Checked: 2} }
		cfg.Plan = bias.Plan{StopLossPct: 1.2, TakeProfitPct: 2.4} // the demo persona's plan: praise needs it
		trades := d.Trades()
		res, err := bias.Score(trades, candles, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for i, g := range res.Tags {
			g.ID = "tag" + strings.Repeat("x", i%7) + g.TradeID
			texts = append(texts, bias.Reflect(g))
			labels[g.Label]++
		}
		for _, w := range res.Account.Windows {
			for _, r := range bias.ReflectWindow(w, cfg) {
				texts = append(texts, r.Text)
				labels["window "+r.Label]++
			}
		}
		for _, text := range texts {
			low := strings.ToLower(text)
			for _, p := range bad {
				if strings.Contains(low, p) {
					t.Errorf("seed %d: %q says %q", seed, text, p)
				}
			}
		}
	}
	for _, l := range []string{coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge, coach.LabelDiscipline} {
		if labels[l] == 0 {
			t.Errorf("no %s reflection over the demo persona (%v): the scan shows little", l, labels)
		}
	}
	for _, l := range []string{coach.LabelDisposition, coach.LabelLossChasing} {
		if labels[l] != 0 {
			t.Errorf("%d per-trade %s tags: the label is an account metric", labels[l], l)
		}
	}
	t.Logf("reflections scanned by label: %v", labels)
}

func readPhrases(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, strings.ToLower(l))
		}
	}
	if len(out) < 40 {
		t.Fatalf("%d phrases in %s: the list did not load", len(out), path)
	}
	return out
}
