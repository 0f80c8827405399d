package bias

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"
)

// forbiddenPhrases reads testdata/forbidden_phrases.txt: lower-case phrases, comments dropped.
func forbiddenPhrases(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/forbidden_phrases.txt")
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
		t.Fatalf("%d forbidden phrases: the list did not load", len(out))
	}
	return out
}

// allTemplates returns every wording each label's reflection can take: every variant (picks
// 0–63 cover every choose of up to 64 variants), with every signal set and with the evidence too
// thin, and every account-window reflection.
func allTemplates() map[string]string {
	f := func(n float64) *float64 { return &n }
	i := func(n int) *int { return &n }
	full := features{Symbol: "ETH-USDT", Side: "BUY",
		Signals: []string{"extremeReturn", "abnormalVolume", "stretched", "volSpike", "oversold", "belowBand"}}
	e := &full.Ev
	e.RangePos, e.PriorReturn, e.AbnormalVolume, e.BandZ, e.RSI = f(0.93), f(0.072), f(3.1), f(2.4), f(76)
	e.LossPct, e.Drawdown, e.VolRatio = f(-0.08), f(0.11), f(1.9)
	e.SizeRatio, e.BaselineN, e.MinutesAfterLoss, e.LossSymbol = f(2.2), i(20), f(14), "SOL-USDT"
	e.RulesChecked, e.GainPct, e.PaperLoser, e.PaperLoserPct = i(2), f(0.021), "SOL-USDT", f(-0.29)
	e.Moments, e.RG, e.PG, e.RL, e.PL, e.PGR, e.PLR, e.T = i(20), i(9), i(3), i(4), i(18), f(0.75), f(0.18), f(3.1)
	e.Day, e.DayTrades, e.BaselineMedian, e.BaselineDays, e.Ratio = "2026-03-04", i(9), f(3), i(12), f(3)
	e.AfterLoss, e.AfterGain, e.PLoss, e.PGain = i(12), i(14), f(0.66), f(0.21)
	e.HoldHours, e.MeanWinnerHold, e.Winners, e.Losers, e.TradeRatio = f(40), f(9), i(11), i(8), f(4.4)
	full.Th.BandK, full.Conv.Interval = f(2), "1h"
	thin := full
	thin.Ev.RG, thin.Ev.PG, thin.Ev.AfterLoss, thin.Ev.Winners, thin.Ev.BaselineDays = i(1), i(1), i(1), i(1), i(1)
	sell := full
	sell.Side = "SELL"
	spree := full // a 2026.3 OVERTRADING tag: the orders of a window
	spree.Ev.WindowTrades, spree.Ev.WindowHours = i(7), f(2)
	out := map[string]string{}
	for pick := range uint64(64) {
		for _, fx := range []*features{&full, &thin, &sell, &spree} {
			for name, fn := range map[string]func(*features, uint64) string{
				"FOMO": reflectFOMO, "PANIC": reflectPanic, "REVENGE": reflectRevenge, "DISCIPLINE": reflectDiscipline,
				"DISPOSITION": reflectDisposition, "OVERTRADING": reflectOvertrading, "LOSS_CHASING": reflectLossChasing,
				"HOLDING_LOSERS": reflectHoldingLosers,
			} {
				if text := fn(fx, pick); text != "" {
					out[text] = name
				}
			}
		}
	}
	w := AccountWindow{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		Disposition: Disposition{Moments: 30, RG: 20, PG: 10, RL: 5, PL: 40, PGR: 0.667, PLR: 0.111, DE: 0.556, T: 6,
			Clustered: Clustered{Clusters: 12, SE: 0.12, T: 4.6}},
		LossChasing: LossChasing{AfterLoss: 20, AfterGain: 20, BigAfterLoss: 15, BigAfterGain: 5, PLoss: 0.75, PGain: 0.25,
			Diff: 0.5, T: 3.6, Clustered: Clustered{Clusters: 15, SE: 0.15, T: 3.3}}}
	cfg := DefaultConfig()
	for range 64 {
		w.From = w.From.AddDate(0, 1, 0)
		w.To = w.To.AddDate(0, 1, 0)
		for _, r := range ReflectWindow(w, cfg) {
			out[r.Text] = "window " + r.Label
		}
	}
	return out
}

// TestReflectionWording scans every reflection template for judgmental or causal phrases and
// nudges to close (testdata/forbidden_phrases.txt), and checks the praise has variety.
func TestReflectionWording(t *testing.T) {
	t.Parallel()
	bad := forbiddenPhrases(t)
	texts := allTemplates()
	byLabel := map[string]int{}
	for text, label := range texts {
		byLabel[label]++
		low := strings.ToLower(text)
		for _, p := range bad {
			if strings.Contains(low, p) {
				t.Errorf("%s: %q says %q", label, text, p)
			}
		}
		if strings.Contains(text, "×") {
			t.Errorf("%s: %q writes a ratio with ×; say \"N times\" or \"N times as long as\"", label, text)
		}
	}
	// Several phrasings of the praise, and of every other label.
	if byLabel["DISCIPLINE"] < 8 {
		t.Errorf("DISCIPLINE has %d phrasings, want at least 8", byLabel["DISCIPLINE"])
	}
	for _, l := range []string{"FOMO", "PANIC", "REVENGE", "OVERTRADING", "HOLDING_LOSERS", "window DISPOSITION", "window LOSS_CHASING"} {
		if byLabel[l] < 3 {
			t.Errorf("%s has %d phrasings, want at least 3", l, byLabel[l])
		}
	}
	// Ratios of durations are "as long as".
	for text, label := range texts {
		if label == "HOLDING_LOSERS" && strings.Contains(text, "losing ones") && !strings.Contains(text, "as long") {
			t.Errorf("%q: a hold-time ratio without \"as long as\"", text)
		}
	}
}

// TestForbiddenPhrasesAreCaught: the scan finds what the old wording said.
func TestForbiddenPhrasesAreCaught(t *testing.T) {
	t.Parallel()
	bad := forbiddenPhrases(t)
	for _, old := range []string{
		"You sold ETH-USDT 11.0% below its recent high. That looks like selling into the fear.",
		"Losses seem to push your size up.",
		"Hoping a loser comes back is expensive. Where was your exit?",
		"losers stay 4.4× longer",
	} {
		caught := false
		for _, p := range bad {
			caught = caught || strings.Contains(strings.ToLower(old), p)
		}
		if !caught {
			t.Errorf("%q passes the scan", old)
		}
	}
}
