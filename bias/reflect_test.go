package bias_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

func TestReflectStatesTheEvidence(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	cfg := bias.DefaultConfig()
	cfg.Rules = func(coach.Trade) bias.Verdict { return bias.Verdict{Checked: 2} }
	res := mustScore(t, fx.trades, fx.candles, cfg)
	for _, g := range res.Tags {
		g.ID = "tag-" + g.TradeID
		text := bias.Reflect(g)
		if n := utf8.RuneCountInString(text); n > bias.MaxReflection || n < 40 {
			t.Errorf("%s %s: %d characters: %q", g.TradeID, g.Label, n, text)
		}
		if text != bias.Reflect(g) {
			t.Errorf("%s %s: two calls gave two texts", g.TradeID, g.Label)
		}
		if strings.Contains(text, "NaN") || strings.Contains(text, "I tagged this trade") {
			t.Errorf("%s %s: %q", g.TradeID, g.Label, text)
		}
	}
	// The numbers come from the features: the chase's prior return and volume.
	g := tagOf(t, res, fx.role["chase1"], coach.LabelFOMO)
	e := ev(t, g)
	text := bias.Reflect(g)
	for _, want := range []string{"BTC-USDT", "up 4.0% over the previous 3 hours", "4.1 times its usual volume"} {
		if !strings.Contains(text, want) {
			t.Errorf("FOMO reflection %q lacks %q (evidence %v)", text, want, e)
		}
	}
	if strings.Contains(text, "RSI") { // the band held, so RSI is not mentioned
		t.Errorf("FOMO reflection %q mentions a signal that did not decide it", text)
	}
}

func TestReflectVaries(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	res := mustScore(t, fx.trades, fx.candles, bias.DefaultConfig())
	g := tagOf(t, res, fx.role["chase1"], coach.LabelFOMO)
	seen := map[string]bool{}
	for i := range 10 {
		g.ID = "c" + string(rune('a'+i)) + "tag"
		seen[bias.Reflect(g)] = true
	}
	if len(seen) < 4 {
		t.Errorf("10 FOMO reflections gave %d distinct texts, want at least 4:\n%v", len(seen), seen)
	}
}

func TestReflectNeverClaimsATrendFromThinData(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		label, features, want string
	}{
		{coach.LabelHoldingLosers,
			`{"v":"x","symbol":"ETH-USDT","ev":{"holdHours":40,"winners":2,"losers":3,"meanWinnerHoldHours":10,"ratio":4,"tradeRatio":4},"th":{"minEvents":1}}`,
			"2 winning and 3 losing round trips"},
		{coach.LabelDisposition,
			`{"v":"x","symbol":"ETH-USDT","ev":{"gainPct":0.1,"rg":3,"pg":0,"rl":1,"pl":1,"pgr":1,"plr":0.5,"t":3,"moments":4},"th":{"minEvents":2}}`,
			"3 gains and 2 losses"},
		{coach.LabelLossChasing,
			`{"v":"x","symbol":"ETH-USDT","ev":{"afterLoss":4,"afterGain":9,"pLoss":1,"pGain":0.1},"th":{"minEvents":3}}`,
			"4 entries after a loss and 9 after a gain"},
		{coach.LabelOvertrading,
			`{"v":"x","symbol":"ETH-USDT","ev":{"day":"2024-01-01","dayTrades":9,"baselineMedian":1,"baselineDays":2,"ratio":9},"th":{"minBaselineDays":1}}`,
			"2 earlier active days"},
	} {
		g := coach.BiasTag{ID: "g1", TradeID: "t1", Label: tc.label, Features: json.RawMessage(tc.features), CreatedAt: time.Now()}
		text := bias.Reflect(g)
		if !strings.Contains(text, tc.want) || !strings.Contains(strings.ToLower(text), "early") && !strings.Contains(text, "Not enough") {
			t.Errorf("%s: %q, want it to say it is too early, with %q", tc.label, text, tc.want)
		}
		if strings.Contains(text, "longer") || strings.Contains(text, "realized") {
			t.Errorf("%s: %q claims a pattern", tc.label, text)
		}
	}
}

func TestReflectOnUnreadableFeatures(t *testing.T) {
	t.Parallel()
	g := coach.BiasTag{ID: "g1", TradeID: "t1", Label: coach.LabelFOMO, Features: json.RawMessage(`[1,2]`)}
	if got, want := bias.Reflect(g), "I tagged this trade FOMO. The numbers behind it are in the tag's evidence."; got != want {
		t.Errorf("Reflect = %q, want %q", got, want)
	}
}

// TestReflectOvertradingSaysTheWindow: a 2026.3 OVERTRADING tag counts the orders of the last
// windowHours (windowTrades of them), and every wording of its reflection says that window and
// that count, not the calendar day's as if it were what was measured; a tag of an earlier
// definition, whose evidence has no window, still speaks of its day.
func TestReflectOvertradingSaysTheWindow(t *testing.T) {
	t.Parallel()
	const spree = `{"v":"2026.3","symbol":"ETH-USDT","ev":{"day":"2024-03-31","dayTrades":14,"windowTrades":9,"windowHours":%s,` +
		`"threshold":5,"baselineMedian":6,"baselineDays":23,"ratio":2.33333},"th":{"windowHours":2,"minBaselineDays":5}}`
	for _, tc := range []struct {
		hours, span string
	}{
		{"2", "the last 2 hours"},
		{"1", "the last hour"},
		{"1.5", "the last 1.5 hours"},
		{"0.5", "the last 30 minutes"},
	} {
		seen := map[string]bool{}
		for i := range 40 {
			g := coach.BiasTag{ID: "over" + string(rune('a'+i%26)) + string(rune('a'+i/26)), TradeID: "t1", Label: coach.LabelOvertrading,
				Features: json.RawMessage(strings.Replace(spree, "%s", tc.hours, 1)), CreatedAt: time.Now()}
			text := bias.Reflect(g)
			seen[text] = true
			if !strings.Contains(text, tc.span) {
				t.Errorf("windowHours %s: %q does not say %q", tc.hours, text, tc.span)
			}
			if !strings.Contains(text, "9 trades") && !strings.Contains(text, "9th trade") {
				t.Errorf("windowHours %s: %q does not say the window's 9 trades", tc.hours, text)
			}
			if !strings.Contains(text, "14") || !strings.Contains(text, "2024-03-31") {
				t.Errorf("windowHours %s: %q does not put the day's 14 beside them", tc.hours, text)
			}
			if strings.Contains(text, "Counting the day") || strings.Contains(text, "14 trades") || strings.Contains(text, "14th trade") {
				t.Errorf("windowHours %s: %q speaks of the day's count as what was measured", tc.hours, text)
			}
		}
		if len(seen) < 4 {
			t.Errorf("windowHours %s: %d wordings, want 4", tc.hours, len(seen))
		}
	}
	day := coach.BiasTag{ID: "g1", TradeID: "t1", Label: coach.LabelOvertrading, CreatedAt: time.Now(), Features: json.RawMessage(
		`{"v":"2026.2","symbol":"ETH-USDT","ev":{"day":"2024-03-31","dayTrades":14,"baselineMedian":6,"baselineDays":23,"ratio":2.33333},"th":{"minBaselineDays":5}}`)}
	if text := bias.Reflect(day); !strings.Contains(text, "14") || !strings.Contains(text, "2024-03-31") || strings.Contains(text, "the last") {
		t.Errorf("a 2026.2 tag (no window): %q, want the day's 14 trades", text)
	}
}
