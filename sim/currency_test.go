package sim_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
	"github.com/tradecoach/coach/sim"
)

// TestInCurrencySkipFOMO is TestWorkedExampleSkipFOMO reported in EUR, with EUR-USDT at 1.25 all
// along (1 USDT = 0.8 EUR):
//
//	actual: realized 4.675 × 0.8 = 3.74, open −15.06 × 0.8 = −12.048, P/L −8.308 EUR
//	counterfactual: realized 9.79 × 0.8 = 7.832, nothing open, P/L 7.832 EUR
//	delta 7.832 − (−8.308) = 16.14 EUR (the per-quote delta 20.175 USDT × 0.8)
//
// Without the EUR-USDT candles every figure is unconvertible (no_path) and the delta is null.
func TestInCurrencySkipFOMO(t *testing.T) {
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
	plain := mustRun(t, in)
	if plain.InCurrency != nil {
		t.Fatalf("inCurrency without a converter: %+v", plain.InCurrency)
	}
	conv, err := ledger.NewConverter(ledger.ConverterConfig{Currency: "EUR", Candles: coach.SeriesOf(flat("EUR-USDT", 6, 1.25))})
	if err != nil {
		t.Fatal(err)
	}
	in.Converter = conv
	res := mustRun(t, in)
	c := res.InCurrency
	if c == nil {
		t.Fatal("no inCurrency with a converter")
	}
	type figs struct{ Realized, Unrealized, PnL, Delta string }
	got := figs{
		c.Actual.Totals.RealizedPnL.String() + " / " + c.Counterfactual.Totals.RealizedPnL.String(),
		c.Actual.Totals.UnrealizedPnL.String() + " / " + c.Counterfactual.Totals.UnrealizedPnL.String(),
		c.Actual.Totals.PnL.String() + " / " + c.Counterfactual.Totals.PnL.String(),
		"",
	}
	if c.Delta != nil {
		got.Delta = c.Delta.String()
	}
	want := figs{"3.74 / 7.832", "-12.048 / 0", "-8.308 / 7.832", "16.14"}
	if got != want {
		t.Errorf("EUR figures (actual / counterfactual):\n got %+v\nwant %+v", got, want)
	}
	if p := c.Actual.Realized[0].Rate.Path(); p != "USDT→EUR" || !c.Actual.Realized[0].Rate.Legs[0].Inverted {
		t.Errorf("evidence: path %s legs %+v, want USDT→EUR through EUR-USDT inverted", p, c.Actual.Realized[0].Rate.Legs)
	}
	if len(res.PnL) != 1 || !res.PnL[0].Delta.Total.Equal(d("20.175")) {
		t.Errorf("the per-quote P/L changed: %+v", res.PnL)
	}

	in.Converter, err = ledger.NewConverter(ledger.ConverterConfig{Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	none := mustRun(t, in).InCurrency
	if none.Delta != nil || none.Actual.Totals.Excluded != 2 || none.Counterfactual.Totals.Excluded != 1 ||
		none.Actual.Unconvertible[0].Reason != ledger.NoPath || !none.Actual.Totals.PnL.IsZero() {
		t.Errorf("no path to EUR: delta %v, actual %+v, counterfactual %+v; want everything unconvertible and no delta",
			none.Delta, none.Actual.Totals, none.Counterfactual.Totals)
	}
}
