package sim_test

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

// TestWorkedExampleVectorbt replays the fee-and-slippage worked example of bias_science.md §12.2
// (vectorbt: size 1, entry 100, exit 110, fees 0.1 %, slippage 0.05 % → adjusted entry 100.05,
// adjusted exit 109.945, P/L 9.685005) as a hold-instead-of-panic-selling simulation: the trader
// bought at 100.05 (100 with the slippage) paying 0.1 %, panic-sold at 101, and the
// counterfactual holds two candles more and sells at their close of 110, moved by 5 bps of
// slippage and paying the panic sell's 0.1 % rate.
func TestWorkedExampleVectorbt(t *testing.T) {
	t.Parallel()
	in := sim.Input{
		Trades: trades(
			buy("b1", "1", "100.05", 30*time.Minute, "0.10005 USDT"),
			sell("s1", "1", "101", 90*time.Minute, "0.101 USDT"),
		),
		Tags: []coach.BiasTag{tag("s1", coach.LabelPanic)},
		Candles: hourly(btc,
			bar{100, 100.1, 99.9, 100}, bar{100, 101.5, 100, 101}, bar{101, 105, 101, 104},
			bar{104, 110.2, 103, 110}, bar{110, 111, 108, 109}, bar{109, 109, 107, 108}),
		Scenario: sim.Scenario{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilNCandles, N: 2},
		Params:   window(6),
	}
	in.Params.Fees.SlippageBps = d("5")
	res := mustRun(t, in)
	got := onlyPnL(t, res)
	want := sim.PnL{
		Quote:          "USDT",
		Actual:         figures("0.74895", "0"),
		Counterfactual: figures("9.685005", "0"),
		Delta:          figures("8.936055", "0"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("P/L (-want +got):\n%s", diff)
	}
	wantChanges := []sim.Change{{
		TradeID: "s1", Symbol: btc, Change: sim.ChangeHeld, Qty: d("1"),
		At: t0.Add(4 * time.Hour), Price: d("109.945"),
		Detail: "PANIC sell held 2 candles and sold at the close of 2026-03-02T04:00:00Z",
	}}
	if diff := cmp.Diff(wantChanges, res.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

// TestWorkedExampleSkipFOMO is the skip-FOMO definition of bias_science.md §13.1 worked by hand.
//
//	b1  buy  1   @ 100, fee 0.10 USDT
//	b2  buy  1   @ 120, fee 0.12 USDT   FOMO
//	s1  sell 1.5 @ 110, fee 0.165 USDT  FIFO: all of b1, half of b2
//	window end: BTC closes at 90
//
// Actual: realized 165 − 160 − (0.10 + 0.06 + 0.165) = 4.675; open 0.5 of b2: 45 − 60 − 0.06 =
// −15.06. Counterfactual: b2 and the 0.5 sold out of it are gone, so s1 sells 1 paying 0.11:
// realized 110 − 100 − 0.10 − 0.11 = 9.79, nothing open.
func TestWorkedExampleSkipFOMO(t *testing.T) {
	t.Parallel()
	in := sim.Input{
		Trades: trades(
			buy("b1", "1", "100", 1*time.Hour, "0.10 USDT"),
			buy("b2", "1", "120", 2*time.Hour, "0.12 USDT"),
			sell("s1", "1.5", "110", 3*time.Hour, "0.165 USDT"),
		),
		Tags:     []coach.BiasTag{tag("b2", coach.LabelFOMO), tag("b1", coach.LabelDiscipline)},
		Candles:  hourly(btc, bar{100, 100, 100, 100}, bar{100, 100, 100, 100}, bar{120, 120, 120, 120}, bar{110, 110, 110, 110}, bar{100, 100, 100, 100}, bar{90, 90, 90, 90}),
		Scenario: sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO},
		Params:   window(6),
	}
	res := mustRun(t, in)
	want := sim.PnL{
		Quote:          "USDT",
		Actual:         figures("4.675", "-15.06"),
		Counterfactual: figures("9.79", "0"),
		Delta:          figures("5.115", "15.06"),
	}
	if diff := cmp.Diff(want, onlyPnL(t, res)); diff != "" {
		t.Errorf("P/L (-want +got):\n%s", diff)
	}
	wantChanges := []sim.Change{
		{TradeID: "b2", Symbol: btc, Change: sim.ChangeSkipped, Qty: d("1"), Detail: "FOMO buy of 1 BTC at 120 left out"},
		{TradeID: "s1", Symbol: btc, Change: sim.ChangeReduced, Qty: d("0.5"),
			Detail: "sells 0.5 less (1 of 1.5 left): that part came from lots the scenario left out or had already sold"},
	}
	if diff := cmp.Diff(wantChanges, res.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	wantMarks := []sim.Mark{{Symbol: btc, Price: d("90"), At: t0.Add(6 * time.Hour)}}
	if diff := cmp.Diff(wantMarks, res.Data.Marks); diff != "" {
		t.Errorf("marks (-want +got):\n%s", diff)
	}
	if res.Data.Labelled != 1 || res.Data.Trades != 3 || res.Data.Candles != 6 {
		t.Errorf("data = %+v, want 3 trades, 1 labelled, 6 candles", res.Data)
	}
	// Six hourly candles: one point at each close. A fill counts from the first point after it;
	// positions are marked at the last close by then.
	wantCurve := []struct{ actual, counter float64 }{
		{0, 0}, {-0.1, -0.1}, {19.78, 19.9}, {-0.385, 9.79}, {-5.385, 9.79}, {-10.385, 9.79},
	}
	if len(res.Equity) != 1 || len(res.Equity[0].Points) != len(wantCurve) {
		t.Fatalf("equity %+v: want one curve of %d points", res.Equity, len(wantCurve))
	}
	for i, p := range res.Equity[0].Points {
		w := wantCurve[i]
		if !p.At.Equal(t0.Add(time.Duration(i+1)*time.Hour)) || math.Abs(p.Actual-w.actual) > 1e-9 || math.Abs(p.Counterfactual-w.counter) > 1e-9 {
			t.Errorf("point %d = %+v, want at %s: %v and %v", i, p, t0.Add(time.Duration(i+1)*time.Hour), w.actual, w.counter)
		}
	}
}

// TestWorkedExampleStopLoss is the follow-your-rule definition of §13.3 worked by hand: a buy at
// 100 with a 5 % stop (95) that the trader held down to a sale at 90. The third candle's low of
// 94 reaches the stop, so the counterfactual sells at 95 at that candle's close, paying the 0.1 %
// rate of the sell it replaces: 95 − 100 − 0.10 − 0.095 = −5.195 instead of 90 − 100 − 0.10 −
// 0.09 = −10.19.
func TestWorkedExampleStopLoss(t *testing.T) {
	t.Parallel()
	in := sim.Input{
		Trades: trades(
			buy("b1", "1", "100", 30*time.Minute, "0.1 USDT"),
			sell("s1", "1", "90", 5*time.Hour+30*time.Minute, "0.09 USDT"),
		),
		Candles: hourly(btc,
			bar{100, 100.5, 99.5, 100}, bar{100, 103, 97, 99}, bar{99, 101, 94, 95},
			bar{95, 96, 91, 92}, bar{92, 93, 89, 90}, bar{90, 91, 89, 90}),
		Scenario: sim.Scenario{Kind: sim.KindFollowRule, StopLossPct: 5},
		Params:   window(6),
	}
	res := mustRun(t, in)
	want := sim.PnL{
		Quote:          "USDT",
		Actual:         figures("-10.19", "0"),
		Counterfactual: figures("-5.195", "0"),
		Delta:          figures("4.995", "0"),
	}
	if diff := cmp.Diff(want, onlyPnL(t, res)); diff != "" {
		t.Errorf("P/L (-want +got):\n%s", diff)
	}
	wantChanges := []sim.Change{
		{TradeID: "b1", Symbol: btc, Change: sim.ChangeExitAdded, Qty: d("1"), At: t0.Add(3 * time.Hour), Price: d("95"),
			Detail: "stop loss at 95 (5% below the entry at 100) reached in the candle closing 2026-03-02T03:00:00Z"},
		{TradeID: "s1", Symbol: btc, Change: sim.ChangeSkipped, Qty: d("1"),
			Detail: "sell of 1 left out: all of it came from lots the scenario left out or had already sold"},
	}
	if diff := cmp.Diff(wantChanges, res.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}
