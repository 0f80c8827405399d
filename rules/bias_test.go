package rules_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/rules"
)

// TestBiasDiscipline wires Evaluation.Check into bias's DISCIPLINE label, as the package doc
// shows: a trade that broke a rule never gets DISCIPLINE, and trades that kept every rule do once
// their position closed at the plan's stop or target, with the number of rules checked as
// evidence.
func TestBiasDiscipline(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var candles []coach.Candle
	p := 100.0
	for i := range 600 {
		o := p
		p *= math.Exp(rng.NormFloat64() * 0.002) // a quiet market: no FOMO, no PANIC
		candles = append(candles, coach.Candle{Symbol: "BTC-USDT", Interval: coach.Hour1, OpenTime: day0.Add(time.Duration(i) * time.Hour),
			Open: o, High: max(o, p) * 1.001, Low: min(o, p) * 0.999, Close: p, Volume: 10 + rng.Float64()})
	}
	trades := []coach.Trade{
		buy("d1", at("300h10m"), "BTC-USDT", "0.1", "100"),
		sell("d2", at("301h10m"), "BTC-USDT", "0.1", "105"), // the plan's target, but the second fill of the day: broken
		buy("d3", at("330h10m"), "BTC-USDT", "0.1", "100"),
		sell("d4", at("360h10m"), "BTC-USDT", "0.1", "95"), // the plan's stop
		buy("d5", at("400h10m"), "BTC-USDT", "0.1", "100"), // still open: not yet praised
	}
	ev := mustEvaluate(t, trades, rules.SeriesOf(candles), []rules.Rule{
		rule("max", rules.MaxTradesPerDay{N: 1}),
		rule("cap", rules.MaxNotionalPerTrade{Amount: mustDec("1000"), Quote: "USDT"}),
	}, nil)
	cfg := bias.DefaultConfig()
	cfg.Plan = bias.Plan{StopLossPct: 5, TakeProfitPct: 5}
	cfg.Rules = func(t coach.Trade) bias.Verdict {
		n, broken := ev.Check(t)
		return bias.Verdict{Checked: n, Broken: broken}
	}
	res, err := bias.Score(trades, bias.CandleSeries(rules.SeriesOf(candles)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	disc := map[string]int{} // trade → rulesChecked of its DISCIPLINE tag
	for _, g := range res.Tags {
		if g.Label != coach.LabelDiscipline {
			continue
		}
		var f struct {
			Ev struct {
				RulesChecked int `json:"rulesChecked"`
			} `json:"ev"`
		}
		if err := json.Unmarshal(g.Features, &f); err != nil {
			t.Fatal(err)
		}
		disc[g.TradeID] = f.Ev.RulesChecked
	}
	for _, id := range []string{"d2", "d5"} {
		if _, ok := disc[id]; ok {
			t.Errorf("%s got DISCIPLINE: it broke maxTradesPerDay, or its position is still open", id)
		}
	}
	// Buys are judged by both rules, sells by one.
	want := map[string]int{"d1": 2, "d3": 2, "d4": 1}
	for id, n := range want {
		if disc[id] != n {
			t.Errorf("trade %s: DISCIPLINE rulesChecked %d, want %d (tags %+v, skipped %+v)", id, disc[id], n, res.Tags, res.Skipped)
		}
	}
}
