package sim_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
	"github.com/tradecoach/coach/sim"
)

// history is a random trader's window: hourly candles of BTC-USDT, ETH-USDT, ETH-BTC and
// BNB-USDT (for fees) with gaps, fills of the first three in any order (some outside the
// window, some selling more than is held), fees of every kind, and labels.
type history struct {
	trades  []coach.Trade
	tags    []coach.BiasTag
	candles []coach.Candle
	params  sim.Params
}

func randomHistory(seed uint64, zeroFees bool) history {
	rng := rand.New(rand.NewPCG(seed, 99))
	hours := 48 + rng.IntN(100)
	syms := []struct {
		sym   coach.Symbol
		price float64
	}{{"BTC-USDT", 100}, {"ETH-USDT", 50}, {"ETH-BTC", 0.5}, {"BNB-USDT", 6}}
	var h history
	closeAt := make([][]float64, len(syms))
	for s, x := range syms {
		p := x.price
		closeAt[s] = make([]float64, hours)
		for i := range hours {
			o := p
			p = math.Round(p*math.Exp(rng.NormFloat64()*0.03)*1e4) / 1e4
			closeAt[s][i] = p
			if rng.IntN(20) == 0 {
				continue // a gap
			}
			h.candles = append(h.candles, coach.Candle{Symbol: x.sym, Interval: coach.Hour1, OpenTime: t0.Add(time.Duration(i) * time.Hour),
				Open: o, High: max(o, p) * 1.01, Low: min(o, p) * 0.99, Close: p, Volume: 1})
		}
	}
	held := make([]decimal.Decimal, 3)
	n := 5 + rng.IntN(40)
	for i := range n {
		s := rng.IntN(3)
		minute := rng.IntN(hours*60+120) - 60 // a few outside the window
		bar := min(max(minute/60, 0), hours-1)
		px := decimal.NewFromFloat(closeAt[s][bar]).Round(4)
		t := coach.Trade{ID: fmt.Sprintf("t%02d", i), UserID: "u1", Broker: "demo", ExtID: fmt.Sprintf("x%02d", i),
			Symbol: syms[s].sym, Price: px, TS: t0.Add(time.Duration(minute)*time.Minute + time.Duration(rng.IntN(60))*time.Second)}
		if held[s].LessThan(decimal.New(5, -1)) || rng.IntN(100) < 55 {
			t.Side, t.Qty = coach.Buy, decimal.New(int64(100+rng.IntN(3000)), -3)
			held[s] = held[s].Add(t.Qty)
			switch r := rng.IntN(10); {
			case r < 2:
				h.tags = append(h.tags, tag(t.ID, coach.LabelFOMO))
			case r < 3:
				h.tags = append(h.tags, tag(t.ID, coach.LabelRevenge))
			}
		} else {
			// Mostly what is held, sometimes more (an uncovered excess).
			frac := decimal.New(int64(20+rng.IntN(90)), -2)
			t.Side, t.Qty = coach.Sell, held[s].Mul(frac).Round(3)
			if t.Qty.Sign() <= 0 {
				t.Qty = decimal.New(1, -3)
			}
			held[s] = decimal.Max(held[s].Sub(t.Qty), decimal.Zero)
			if rng.IntN(10) < 3 {
				h.tags = append(h.tags, tag(t.ID, coach.LabelPanic))
			}
		}
		t.Fee = decimal.NewNullDecimal(decimal.Zero)
		if !zeroFees {
			switch rng.IntN(6) {
			case 0: // zero
			case 1:
				t.Fee, t.FeeAsset = decimal.NewNullDecimal(t.Notional().Mul(decimal.New(1, -3)).Round(8)), t.Symbol.Quote()
			case 2:
				t.Fee, t.FeeAsset = decimal.NewNullDecimal(t.Qty.Mul(decimal.New(1, -3)).Round(8)), t.Symbol.Base()
			case 3:
				t.Fee = decimal.NullDecimal{}
			case 4:
				t.Fee, t.FeeAsset = decimal.NewNullDecimal(decimal.New(int64(1+rng.IntN(1000)), -6)), "BNB"
			case 5:
				t.Fee, t.FeeAsset = decimal.NewNullDecimal(t.Notional().Mul(decimal.New(75, -5)).Round(8)), t.Symbol.Quote()
			}
		}
		h.trades = append(h.trades, t)
	}
	rng.Shuffle(len(h.trades), func(i, j int) { h.trades[i], h.trades[j] = h.trades[j], h.trades[i] })
	h.params = sim.Params{From: t0, To: t0.Add(time.Duration(hours) * time.Hour), Points: 50}
	if !zeroFees {
		h.params.Fees.SlippageBps = decimal.New(int64(rng.IntN(20)), 0)
	}
	return h
}

func (h history) input(sc sim.Scenario) sim.Input {
	return sim.Input{Trades: h.trades, Tags: h.tags, Candles: h.candles, Scenario: sc, Params: h.params}
}

// windowTrades returns h's trades with TS in the window, in trade order.
func (h history) windowTrades() []coach.Trade {
	var out []coach.Trade
	for _, t := range h.trades {
		if !t.TS.Before(h.params.From) && t.TS.Before(h.params.To) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b coach.Trade) int {
		return cmp.Or(a.TS.Compare(b.TS), strings.Compare(a.Broker, b.Broker), strings.Compare(a.ExtID, b.ExtID), strings.Compare(a.ID, b.ID))
	})
	return out
}

// usedCandles returns the candles a simulation of h uses: those of the symbols traded in the
// window and of BNB-USDT when a USDT fill there paid its fee in BNB.
func (h history) usedCandles() []coach.Candle {
	used := map[coach.Symbol]bool{}
	for _, t := range h.windowTrades() {
		used[t.Symbol] = true
		if t.FeeAsset == "BNB" {
			used[coach.Symbol("BNB-"+t.Symbol.Quote())] = true
		}
	}
	var out []coach.Candle
	for _, c := range h.candles {
		if used[c.Symbol] {
			out = append(out, c)
		}
	}
	return out
}

var allScenarios = []sim.Scenario{
	{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO},
	{Kind: sim.KindNoRevenge},
	{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilNCandles, N: 3},
	{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilNextSell},
	{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilWindowEnd},
	{Kind: sim.KindFollowRule, StopLossPct: 3, TakeProfitPct: 6},
}

const propertyRuns = 200

// TestPropertyNoChangeNoDelta: a scenario that changes nothing gives a delta of exactly zero,
// no changes, and the same equity curve twice.
func TestPropertyNoChangeNoDelta(t *testing.T) {
	t.Parallel()
	for seed := range uint64(propertyRuns) {
		h := randomHistory(seed, false)
		for _, sc := range []sim.Scenario{
			{Kind: sim.KindSkipLabel, Label: "NOBODY"},
			{Kind: sim.KindHoldInstead, Label: "NOBODY", Until: sim.UntilNCandles, N: 2},
			{Kind: sim.KindFollowRule},
		} {
			res := mustRun(t, h.input(sc))
			if len(res.Changes) != 0 {
				t.Fatalf("seed %d %s: changes %+v", seed, sc.Kind, res.Changes)
			}
			for _, p := range res.PnL {
				if !p.Delta.Realized.IsZero() || !p.Delta.Unrealized.IsZero() || !p.Delta.Total.IsZero() {
					t.Fatalf("seed %d %s: delta %+v", seed, sc.Kind, p.Delta)
				}
			}
			for _, c := range res.Equity {
				for _, pt := range c.Points {
					if pt.Actual != pt.Counterfactual {
						t.Fatalf("seed %d %s %s: curves differ at %s: %v vs %v", seed, sc.Kind, c.Quote, pt.At, pt.Actual, pt.Counterfactual)
					}
				}
			}
		}
	}
}

// TestPropertyActualIsTheLedger: whatever the scenario, the actual figures are the ledger's.
func TestPropertyActualIsTheLedger(t *testing.T) {
	t.Parallel()
	for seed := range uint64(propertyRuns) {
		h := randomHistory(seed, seed%2 == 0)
		res := mustRun(t, h.input(allScenarios[seed%uint64(len(allScenarios))]))
		l := ledger.New(ledger.FIFO)
		l.FeePrices = candleLookup(h.candles)
		lr, _ := l.Apply(h.windowTrades())
		realized := map[string]decimal.Decimal{}
		for _, x := range lr.Realized {
			realized[x.Symbol.Quote()] = realized[x.Symbol.Quote()].Add(x.PnL)
		}
		prices := map[coach.Symbol]decimal.Decimal{}
		for _, m := range res.Data.Marks {
			prices[m.Symbol] = m.Price
		}
		un, err := lr.Unrealized(prices)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		unrealized := map[string]decimal.Decimal{}
		for _, u := range un {
			unrealized[u.Symbol.Quote()] = unrealized[u.Symbol.Quote()].Add(u.PnL)
		}
		for _, p := range res.PnL {
			if !p.Actual.Realized.Equal(realized[p.Quote]) || !p.Actual.Unrealized.Equal(unrealized[p.Quote]) {
				t.Fatalf("seed %d %s: actual %+v, ledger realized %s unrealized %s", seed, p.Quote, p.Actual, realized[p.Quote], unrealized[p.Quote])
			}
		}
	}
}

// candleLookup values a third-asset fee as the simulation does by default: at the close of the
// last candle of ASSET-QUOTE that closed by the fill.
func candleLookup(candles []coach.Candle) ledger.PriceLookup {
	return func(asset, quote string, at time.Time) (decimal.Decimal, bool) {
		var best *coach.Candle
		for i := range candles {
			c := &candles[i]
			if c.Symbol == coach.Symbol(asset+"-"+quote) && !c.CloseTime().After(at) && (best == nil || c.OpenTime.After(best.OpenTime)) {
				best = c
			}
		}
		if best == nil {
			return decimal.Decimal{}, false
		}
		return decimal.NewFromFloat(best.Close), true
	}
}

// TestPropertyZeroFeesSkipIsKeptLots: with zero fees and slippage, skipping labelled buys leaves
// exactly the realized P/L of the FIFO matches of the other lots, computed here by a naive FIFO.
func TestPropertyZeroFeesSkipIsKeptLots(t *testing.T) {
	t.Parallel()
	for seed := range uint64(propertyRuns) {
		h := randomHistory(seed, true)
		res := mustRun(t, h.input(sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO}))
		skipped := map[string]bool{}
		for _, g := range h.tags {
			if g.Label == coach.LabelFOMO {
				skipped[g.TradeID] = true
			}
		}
		type lot struct {
			id         string
			price, qty decimal.Decimal
		}
		lots := map[coach.Symbol][]lot{}
		want := map[string]decimal.Decimal{}
		for _, tr := range h.windowTrades() {
			if tr.Side == coach.Buy {
				lots[tr.Symbol] = append(lots[tr.Symbol], lot{tr.ID, tr.Price, tr.Qty})
				continue
			}
			need := tr.Qty
			q := lots[tr.Symbol]
			for need.Sign() > 0 && len(q) > 0 {
				take := decimal.Min(need, q[0].qty)
				if !skipped[q[0].id] {
					want[tr.Symbol.Quote()] = want[tr.Symbol.Quote()].Add(take.Mul(tr.Price.Sub(q[0].price)))
				}
				need, q[0].qty = need.Sub(take), q[0].qty.Sub(take)
				if q[0].qty.Sign() == 0 {
					q = q[1:]
				}
			}
			lots[tr.Symbol] = q
		}
		for _, p := range res.PnL {
			if !p.Counterfactual.Realized.Equal(want[p.Quote]) {
				t.Fatalf("seed %d %s: counterfactual realized %s, naive FIFO of kept lots %s", seed, p.Quote, p.Counterfactual.Realized, want[p.Quote])
			}
		}
	}
}

// TestPropertyZeroFeesHoldIsTheLedger: with zero fees and slippage, holding labelled sells to the
// window end gives exactly the ledger's P/L of the fills without them.
func TestPropertyZeroFeesHoldIsTheLedger(t *testing.T) {
	t.Parallel()
	for seed := range uint64(propertyRuns) {
		h := randomHistory(seed, true)
		res := mustRun(t, h.input(sim.Scenario{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilWindowEnd}))
		panicked := map[string]bool{}
		for _, g := range h.tags {
			if g.Label == coach.LabelPanic {
				panicked[g.TradeID] = true
			}
		}
		var kept []coach.Trade
		for _, tr := range h.windowTrades() {
			if !(tr.Side == coach.Sell && panicked[tr.ID]) {
				kept = append(kept, tr)
			}
		}
		lr, err := ledger.New(ledger.FIFO).Apply(kept)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]decimal.Decimal{}
		for _, x := range lr.Realized {
			want[x.Symbol.Quote()] = want[x.Symbol.Quote()].Add(x.PnL)
		}
		for _, p := range res.PnL {
			if !p.Counterfactual.Realized.Equal(want[p.Quote]) {
				t.Fatalf("seed %d %s: counterfactual realized %s, ledger %s", seed, p.Quote, p.Counterfactual.Realized, want[p.Quote])
			}
		}
	}
}

// TestPropertyEquityEndsAtTotal: the last point of each curve is the book's Total, up to float64
// rounding, and no counterfactual sell exceeds what the counterfactual holds.
func TestPropertyEquityEndsAtTotal(t *testing.T) {
	t.Parallel()
	for seed := range uint64(propertyRuns) {
		h := randomHistory(seed, false)
		sc := allScenarios[seed%uint64(len(allScenarios))]
		res := mustRun(t, h.input(sc))
		scale := 1.0
		for _, tr := range h.trades {
			scale += math.Abs(tr.Notional().InexactFloat64())
		}
		for i, c := range res.Equity {
			if len(c.Points) == 0 || len(c.Points) > h.params.Points {
				t.Fatalf("seed %d: %d points", seed, len(c.Points))
			}
			last := c.Points[len(c.Points)-1]
			if !last.At.Equal(h.params.To) {
				t.Fatalf("seed %d: last point at %s, want the window end", seed, last.At)
			}
			p := res.PnL[i]
			for _, x := range []struct {
				got  float64
				want decimal.Decimal
			}{{last.Actual, p.Actual.Total}, {last.Counterfactual, p.Counterfactual.Total}} {
				if math.Abs(x.got-x.want.InexactFloat64()) > 1e-9*scale {
					t.Fatalf("seed %d %s %s: curve ends at %v, total %s", seed, sc.Kind, c.Quote, x.got, x.want)
				}
			}
		}
	}
}

// TestPropertyDeterministic: the result does not depend on the order of trades, tags or candles.
func TestPropertyDeterministic(t *testing.T) {
	t.Parallel()
	for seed := range uint64(50) {
		h := randomHistory(seed, false)
		sc := allScenarios[seed%uint64(len(allScenarios))]
		a := mustRun(t, h.input(sc))
		rng := rand.New(rand.NewPCG(seed, 1))
		h2 := history{trades: slices.Clone(h.trades), tags: slices.Clone(h.tags), candles: slices.Clone(h.candles), params: h.params}
		rng.Shuffle(len(h2.trades), func(i, j int) { h2.trades[i], h2.trades[j] = h2.trades[j], h2.trades[i] })
		rng.Shuffle(len(h2.tags), func(i, j int) { h2.tags[i], h2.tags[j] = h2.tags[j], h2.tags[i] })
		rng.Shuffle(len(h2.candles), func(i, j int) { h2.candles[i], h2.candles[j] = h2.candles[j], h2.candles[i] })
		b := mustRun(t, h2.input(sc))
		if diff := gocmp.Diff(a, b); diff != "" {
			t.Fatalf("seed %d %s: shuffled input gives another result (-first +shuffled):\n%s", seed, sc.Kind, diff)
		}
		if want := sim.HashCandles(h.usedCandles()); a.Data.CandlesSHA256 != want {
			t.Fatalf("seed %d: Data.CandlesSHA256 %s, HashCandles of the candles used %s", seed, a.Data.CandlesSHA256, want)
		}
	}
}

// TestPropertySkipEveryBuy: skipping every buy leaves nothing to gain or lose.
func TestPropertySkipEveryBuy(t *testing.T) {
	t.Parallel()
	for seed := range uint64(propertyRuns) {
		h := randomHistory(seed, false)
		h.tags = nil
		for _, tr := range h.trades {
			if tr.Side == coach.Buy {
				h.tags = append(h.tags, tag(tr.ID, coach.LabelFOMO))
			}
		}
		res := mustRun(t, h.input(sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO}))
		for _, p := range res.PnL {
			if !p.Counterfactual.Total.IsZero() {
				t.Fatalf("seed %d %s: counterfactual %+v, want zero", seed, p.Quote, p.Counterfactual)
			}
		}
	}
}
