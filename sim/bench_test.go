package sim_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

// yearFixture is a year of one-minute BTC-USDT candles (525,600, a random walk) and n fills of
// one trader at candle prices: buys and sells alternate in runs, each sell takes 40 % to 100 % of
// what is held, every fill pays 0.1 % in USDT. One buy in ten is tagged FOMO, one in twenty
// REVENGE, one sell in ten PANIC.
type yearFixture struct {
	candles []coach.Candle
	trades  []coach.Trade
	tags    []coach.BiasTag
	rules   []coach.Rule
	params  sim.Params
}

func newYearFixture(n int) *yearFixture {
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const minutes = 525_600
	fx := &yearFixture{candles: make([]coach.Candle, minutes)}
	p := 60_000.0
	for i := range fx.candles {
		o := p
		p *= math.Exp(rng.NormFloat64() * 0.0008)
		h := max(o, p) * (1 + rng.Float64()*0.0005)
		l := min(o, p) * (1 - rng.Float64()*0.0005)
		fx.candles[i] = coach.Candle{Symbol: btc, Interval: coach.Minute1, OpenTime: start.Add(time.Duration(i) * time.Minute),
			Open: o, High: h, Low: l, Close: p, Volume: 1 + rng.Float64()*10}
	}
	step := minutes / n
	held := int64(0) // in 1e-8 BTC
	rate := decimal.New(1, -3)
	for i := range n {
		m := i*step + rng.IntN(step)
		c := fx.candles[m]
		px := decimal.NewFromFloat(math.Round(c.Close*100) / 100)
		t := coach.Trade{ID: fmt.Sprintf("t%05d", i), UserID: "u1", Broker: "binance", ExtID: fmt.Sprintf("%d", i),
			Symbol: btc, Price: px, TS: c.OpenTime.Add(time.Duration(rng.IntN(60)) * time.Second), FeeAsset: "USDT"}
		if (i/3)%2 == 0 || held < 100_000 {
			q := 100_000 + rng.Int64N(10_000_000)
			t.Side, t.Qty = coach.Buy, decimal.New(q, -8)
			held += q
			switch {
			case rng.IntN(10) == 0:
				fx.tags = append(fx.tags, coach.BiasTag{TradeID: t.ID, Label: coach.LabelFOMO, Features: json.RawMessage(`{}`)})
			case rng.IntN(20) == 0:
				fx.tags = append(fx.tags, coach.BiasTag{TradeID: t.ID, Label: coach.LabelRevenge, Features: json.RawMessage(`{}`)})
			}
		} else {
			q := held * (40 + rng.Int64N(61)) / 100
			t.Side, t.Qty = coach.Sell, decimal.New(q, -8)
			held -= q
			if rng.IntN(10) == 0 {
				fx.tags = append(fx.tags, coach.BiasTag{TradeID: t.ID, Label: coach.LabelPanic, Features: json.RawMessage(`{}`)})
			}
		}
		t.Fee = decimal.NewNullDecimal(t.Notional().Mul(rate).Round(8))
		fx.trades = append(fx.trades, t)
	}
	fx.rules = []coach.Rule{
		{ID: "r1", UserID: "u1", Kind: "maxNotionalPerTrade", Params: json.RawMessage(`{"amount":"5000","quote":"USDT"}`), Active: true},
	}
	fx.params = sim.Params{From: start, To: start.Add(minutes * time.Minute), Fees: sim.FeeModel{SlippageBps: decimal.New(5, 0)}}
	return fx
}

// BenchmarkSimulateYear runs each scenario over a year of one-minute candles (525,600) and 10,000
// fills: the whole of Run, candle cleaning and hashing, both ledgers and the equity curves
// included.
func BenchmarkSimulateYear(b *testing.B) {
	fx := newYearFixture(10_000)
	for _, sc := range []sim.Scenario{
		{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO},
		{Kind: sim.KindNoRevenge},
		{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilNCandles, N: 60},
		{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilNextSell},
		{Kind: sim.KindFollowRule, StopLossPct: 2, TakeProfitPct: 4},
		{Kind: sim.KindFollowRule, RuleIDs: []string{"r1"}, StopLossPct: 2},
	} {
		name := sc.Kind
		switch {
		case sc.Until != "":
			name += "/" + sc.Until
		case sc.RuleIDs != nil:
			name += "/rules"
		}
		b.Run(name, func(b *testing.B) {
			in := sim.Input{Trades: fx.trades, Tags: fx.tags, Candles: fx.candles, Rules: fx.rules, Scenario: sc, Params: fx.params}
			if _, err := sim.Run(in); err != nil {
				b.Fatal(err)
			}
			runtime.GC() // the fixture's garbage is not this benchmark's
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				if _, err := sim.Run(in); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(sec*1e3/float64(b.N), "ms/op")
			b.ReportMetric(float64(len(fx.candles))*float64(b.N)/sec, "candles/s")
			b.ReportMetric(float64(len(fx.trades))*float64(b.N)/sec, "trades/s")
			if cpu := cpuTime() - cpu; cpu > 0 {
				b.ReportMetric(float64(cpu)/1e6/float64(b.N), "cpu-ms/op")
			}
		})
	}
}
