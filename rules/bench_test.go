package rules_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

// benchData returns n fills of one user over two symbols, a few minutes apart, with hourly
// candles covering them: per symbol, a buy is followed by a sell of the same quantity one to
// three fills later, so positions open and close as a day trader's do.
func benchData(n int) ([]coach.Trade, rules.CandleSeries) {
	rng := rand.New(rand.NewPCG(11, 12))
	syms := []coach.Symbol{"BTC-USDT", "ETH-USDT"}
	gap := 17 * time.Minute
	hours := int(time.Duration(n)*gap/time.Hour) + 48
	series := rules.CandleSeries{}
	price := map[coach.Symbol][]float64{}
	for _, sym := range syms {
		p := 100.0
		for i := range hours {
			o := p
			p *= math.Exp(rng.NormFloat64() * 0.01)
			series[sym] = append(series[sym], coach.Candle{Symbol: sym, Interval: coach.Hour1,
				OpenTime: day0.Add(time.Duration(i-24) * time.Hour), Open: o, High: max(o, p) * 1.004, Low: min(o, p) * 0.996, Close: p, Volume: 1})
			price[sym] = append(price[sym], p)
		}
	}
	trades := make([]coach.Trade, 0, n)
	open := map[coach.Symbol][]decimal.Decimal{}
	for i := range n {
		sym := syms[rng.IntN(2)]
		ts := day0.Add(time.Duration(i) * gap)
		p := decimal.NewFromFloat(price[sym][int(ts.Sub(day0)/time.Hour)+24]).Round(2)
		t := coach.Trade{ID: fmt.Sprintf("t%07d", i), UserID: "u1", Broker: "binance", ExtID: fmt.Sprintf("%d", i),
			Symbol: sym, Price: p, TS: ts, Fee: decimal.NewNullDecimal(decimal.Zero)}
		if q := open[sym]; len(q) > 0 && rng.IntN(2) == 0 {
			t.Side, t.Qty = coach.Sell, q[0]
			open[sym] = q[1:]
		} else {
			t.Side, t.Qty = coach.Buy, decimal.New(1+rng.Int64N(200), -2)
			open[sym] = append(open[sym], t.Qty)
		}
		trades = append(trades, t)
	}
	return trades, series
}

// BenchmarkEvaluate measures trade×rule checks per second: every fill against each rule kind
// alone, and against all six at once.
func BenchmarkEvaluate(b *testing.B) {
	trades, series := benchData(50_000)
	loc := mustLoad("Europe/Berlin")
	all := allKinds()
	for _, tc := range []struct {
		name  string
		rules []rules.Rule
	}{
		{"all", all},
		{"avoidSpikeOverPct", all[0:1]},
		{"maxTradesPerDay", all[1:2]},
		{"cooldownAfterLoss", all[2:3]},
		{"maxNotionalPerTrade", all[3:4]},
		{"noTradingWindow", all[4:5]},
		{"stopLossPct", all[5:6]},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			verdicts := 0
			cpu := cpuTime()
			for b.Loop() {
				ev, err := rules.Evaluate(trades, series, tc.rules, loc)
				if err != nil {
					b.Fatal(err)
				}
				verdicts = len(ev.Verdicts)
			}
			checks := float64(len(trades)*len(tc.rules)) * float64(b.N)
			b.ReportMetric(checks/b.Elapsed().Seconds(), "checks/s")
			// On a shared machine wall time includes waiting for a core; CPU time (every thread
			// of the process, the garbage collector's included) is what a check costs.
			if cpu := cpuTime() - cpu; cpu > 0 {
				b.ReportMetric(checks/(float64(cpu)/1e9), "checks/cpu-s")
			}
			b.ReportMetric(float64(verdicts), "verdicts/op")
		})
	}
}

// BenchmarkStreaks measures streak counting over the verdicts of all six kinds.
func BenchmarkStreaks(b *testing.B) {
	trades, series := benchData(50_000)
	loc := mustLoad("Europe/Berlin")
	ev, err := rules.Evaluate(trades, series, allKinds(), loc)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rules.Streaks(ev, loc)
	}
	b.ReportMetric(float64(len(ev.Verdicts))*float64(b.N)/b.Elapsed().Seconds(), "verdicts/s")
}
