package bias_test

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// flat returns hourly bars of sym at a constant price from start for n hours.
func flat(sym coach.Symbol, price float64, start time.Time, n int) []coach.Candle {
	out := make([]coach.Candle, n)
	for i := range out {
		out[i] = coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: start.Add(time.Duration(i) * time.Hour),
			Open: price, High: price, Low: price, Close: price, Volume: 10}
	}
	return out
}

// book builds trades with sequential ids.
type book struct{ trades []coach.Trade }

func (b *book) add(sym coach.Symbol, side coach.Side, ts time.Time, qty, price float64) string {
	id := "t" + strconv.Itoa(len(b.trades)+1)
	b.trades = append(b.trades, coach.Trade{ID: id, Broker: "demo", ExtID: id, Symbol: sym, Side: side,
		Qty: decimal.NewFromFloat(qty), Price: decimal.NewFromFloat(price),
		Fee: decimal.NewNullDecimal(decimal.Zero), FeeAsset: sym.Quote(), TS: ts})
	return id
}

// lenient lowers the minimum counts so that small hand-made cases report their statistics.
func lenient() bias.Config {
	c := bias.DefaultConfig()
	c.MinEvents, c.MinBaselineEntries, c.MinBaselineDays = 1, 1, 1
	return c
}

func TestDispositionCountsOdean(t *testing.T) {
	t.Parallel()
	a, b, c := coach.MustParseSymbol("AAA-USD"), coach.MustParseSymbol("BBB-USD"), coach.MustParseSymbol("CCC-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{a: flat(a, 100, start, 300), b: flat(b, 50, start, 300), c: flat(c, 10, start, 300)}
	h := func(n int) time.Time { return start.Add(time.Duration(n)*time.Hour + 10*time.Minute) }
	var bk book
	bk.add(a, coach.Buy, h(200), 1, 90) // reference 90: bars at 100, a paper gain
	bk.add(b, coach.Buy, h(200), 1, 60) // reference 60: bars at 50, a paper loss
	bk.add(c, coach.Buy, h(200), 1, 10) // reference 10: bars at 10, neither
	// Moment 1: sell A at 100 (realized gain); B paper loss, C neither.
	bk.add(a, coach.Sell, h(201), 1, 100)
	// Moment 2: buy A back at 90; sell B at 50 (realized loss); A paper gain, C neither.
	bk.add(a, coach.Buy, h(202), 1, 90)
	bk.add(b, coach.Sell, h(203), 1, 50)
	// Moment 3 holds only A and C, then C is sold at 11 (realized gain), A paper gain.
	bk.add(c, coach.Sell, h(204), 1, 11)
	// Moment 4 holds only A: excluded (Odean counts portfolios of two or more).
	bk.add(a, coach.Sell, h(205), 1, 95)

	res := mustScore(t, bk.trades, candles, lenient())
	got := res.Account.Disposition
	// RG 2 (A, C), RL 1 (B), PG 2 (A in moments 2 and 3), PL 1 (B in moment 1).
	pgr, plr := 2.0/4, 1.0/2
	se := math.Sqrt(pgr*(1-pgr)/4 + plr*(1-plr)/2)
	// Clustered by position, by hand. Positions: A₁ (bought h200, sold h201), B, C, and A₂
	// (bought back h202). Per position (k1 of n1 gains realized, k2 of n2 losses realized):
	//   A₁ {1 of 1, –}   B {–, 1 of 2}   C {1 of 1, –}   A₂ {0 of 2, –}
	// p1 = 2/4 = 0.5 over ΣN1 = 4, p2 = 1/2 = 0.5 over ΣN2 = 2, so
	//   z(A₁) = (1 − 0.5·1)/4 = 0.125      z(B) = −(1 − 0.5·2)/2 = 0
	//   z(C)  = (1 − 0.5·1)/4 = 0.125      z(A₂) = (0 − 0.5·2)/4 = −0.25
	// Σz² = 0.015625 + 0 + 0.015625 + 0.0625 = 0.09375; × G/(G−1) = 4/3 gives 0.125, SE = √0.125
	// = 0.353553. Smaller than the naive 0.433013: B's two observations (held at a loss, then
	// sold at a loss) offset each other's deviation.
	want := bias.Disposition{Moments: 3, Excluded: 1, RG: 2, RL: 1, PG: 2, PL: 1,
		PGR: pgr, PLR: plr, DE: pgr - plr, SE: se, T: (pgr - plr) / se,
		Clustered: bias.Clustered{Clusters: 4, SE: math.Sqrt(0.125), T: 0}}
	if diff := cmp.Diff(want, got, cmpNaN); diff != "" {
		t.Errorf("disposition (-want +got):\n%s", diff)
	}

	// With the default minimum of 5 gains and 5 losses, the same data is insufficient, not 0.
	res = mustScore(t, bk.trades, candles, bias.DefaultConfig())
	if d := res.Account.Disposition; d.Insufficient != "insufficient data: 4 gains (realized or paper) and 2 losses, need at least 5 of each" {
		t.Errorf("disposition = %+v, want an insufficient-data reason", d)
	}
}

// TestTurnoverBarberOdeanExample is the research notes' worked example: a month beginning with
// 10,000 of holdings, 1,000 sold in the month and 1,500 bought in the month before and still held
// turns over ½(0.10 + 0.15) = 0.125.
func TestTurnoverBarberOdeanExample(t *testing.T) {
	t.Parallel()
	a := coach.MustParseSymbol("AAA-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{a: flat(a, 100, start, 24*91)}
	var bk book
	bk.add(a, coach.Buy, time.Date(2024, 1, 10, 12, 0, 0, 0, time.UTC), 85, 100)
	bk.add(a, coach.Buy, time.Date(2024, 2, 10, 12, 0, 0, 0, time.UTC), 15, 100)
	bk.add(a, coach.Sell, time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC), 10, 100)
	res := mustScore(t, bk.trades, candles, bias.DefaultConfig())
	got := res.Account.Overtrading
	// January starts empty (not measured); February: 8,500 held, all bought in January: ½(0 + 1) =
	// 0.5; March: ½(0.10 + 0.15) = 0.125.
	if got.Months != 2 || got.MonthlyTurnover != (0.5+0.125)/2 || got.AnnualTurnover != 12*(0.5+0.125)/2 {
		t.Errorf("turnover = %d months, %v monthly, %v annual; want 2, 0.3125, 3.75", got.Months, got.MonthlyTurnover, got.AnnualTurnover)
	}
	if got.Quote != "USD" || got.Notional != 11000 || got.Fees != 0 || got.FeeRate != 0 || got.FeeDrag != 0 {
		t.Errorf("money = %+v", got)
	}
}

func TestLossChasingCovalShumway(t *testing.T) {
	t.Parallel()
	a := coach.MustParseSymbol("AAA-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{a: flat(a, 100, start, 400)}
	var bk book
	h := 200
	trip := func(size, exit float64) {
		bk.add(a, coach.Buy, start.Add(time.Duration(h)*time.Hour), size, 100)
		bk.add(a, coach.Sell, start.Add(time.Duration(h)*time.Hour+30*time.Minute), size, exit)
		h += 2
	}
	for range 10 { // a baseline of ten normal round trips, each a gain
		trip(1, 110)
	}
	// L→big, G→normal, L→big, G→normal, L→big, G→big, L→big, then a last gain.
	exits := []float64{90, 110, 90, 110, 90, 110, 90, 110}
	sizes := []float64{3, 1, 3, 1, 3, 3, 3, 1} // size of the entry after each exit
	trip(1, exits[0])
	for i := 1; i < len(exits); i++ {
		trip(sizes[i-1], exits[i])
	}
	cfg := bias.DefaultConfig()
	cfg.MinEvents = 3
	res := mustScore(t, bk.trades, candles, cfg)
	// Entries 6–11 follow a gain with a baseline of five or more and are normal (6); then 4 after
	// a loss, all big; 3 after a gain, one big.
	pl, pg := 1.0, 1.0/9
	se := math.Sqrt(pl*(1-pl)/4 + pg*(1-pg)/9)
	// Every round trip is its own position, so each entry follows a different position's sale:
	// 13 clusters of one entry each, and the clustered SE is the naive one times √(13/12).
	got := res.Account.LossChasing
	if c := got.Clustered; c.Clusters != 13 || !(math.Abs(c.SE-se*math.Sqrt(13.0/12)) < 1e-12) {
		t.Errorf("clustered = %+v, want 13 clusters and SE %v", c, se*math.Sqrt(13.0/12))
	}
	want := bias.LossChasing{AfterLoss: 4, AfterGain: 9, BigAfterLoss: 4, BigAfterGain: 1,
		PLoss: pl, PGain: pg, Diff: pl - pg, SE: se, T: (pl - pg) / se, Clustered: got.Clustered}
	if diff := cmp.Diff(want, got, cmpNaN); diff != "" {
		t.Errorf("loss chasing (-want +got):\n%s", diff)
	}
	// One window (January 2024) with the same counts; no per-trade tag.
	if len(res.Account.Windows) != 1 || res.Account.Windows[0].LossChasing.AfterLoss != 4 {
		t.Errorf("windows = %+v, want January with 4 entries after a loss", res.Account.Windows)
	}
	for _, g := range res.Tags {
		if g.Label == coach.LabelLossChasing {
			t.Errorf("trade %s: LOSS_CHASING tag: the label is an account metric now", g.TradeID)
		}
	}
}

func TestHoldingLosersRatio(t *testing.T) {
	t.Parallel()
	a := coach.MustParseSymbol("AAA-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{a: flat(a, 100, start, 24*30)}
	var bk book
	at := start.Add(200 * time.Hour)
	var last string
	for i := range 40 {
		hold, exit := time.Hour, 110.0 // winners held an hour
		if i%2 == 1 {
			hold, exit = 4*time.Hour, 99.5 // losers held four, at a loss too small for PANIC
		}
		bk.add(a, coach.Buy, at, 1, 100)
		last = bk.add(a, coach.Sell, at.Add(hold), 1, exit)
		at = at.Add(5 * time.Hour)
	}
	cfg := bias.DefaultConfig()
	res := mustScore(t, bk.trades, candles, cfg)
	want := bias.HoldingLosers{Winners: 20, Losers: 20, MeanWinnerHold: time.Hour, MeanLoserHold: 4 * time.Hour, Ratio: 4}
	if diff := cmp.Diff(want, res.Account.HoldingLosers, cmpNaN); diff != "" {
		t.Errorf("holding losers (-want +got):\n%s", diff)
	}
	// The last loser, after twenty winners all held shorter (p = 1/21 ≤ HoldAlpha 0.05), is tagged.
	if got := labelsOf(res, last); !contains(got, coach.LabelHoldingLosers) {
		t.Errorf("last loser labels = %v, want HOLDING_LOSERS", got)
	}
}

func TestOvertradingCountsOrdersNotPartialFills(t *testing.T) {
	t.Parallel()
	a := coach.MustParseSymbol("AAA-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{a: flat(a, 100, start, 24*20)}
	var bk book
	for d := 9; d < 15; d++ { // six days with one order each, in three partial fills
		ts := start.Add(time.Duration(d)*24*time.Hour + 9*time.Hour)
		for range 3 {
			bk.add(a, coach.Buy, ts, 1, 100)
		}
	}
	day := start.Add(15 * 24 * time.Hour)
	var ids []string
	for i := range 6 { // twenty minutes apart: all six within OvertradingWindow (2h)
		ids = append(ids, bk.add(a, coach.Buy, day.Add(time.Duration(20*i)*time.Minute), 1, 100))
	}
	res := mustScore(t, bk.trades, candles, bias.DefaultConfig())
	got := res.Account.Overtrading
	if got.Trades != 12 || got.ActiveDays != 7 || got.OvertradedDays != 1 {
		t.Errorf("overtrading = %+v, want 12 orders on 7 days, 1 overtraded", got)
	}
	// The baseline median is 1 order a day, so the fifth order of the two hours
	// (OvertradingMinTrades) and every later one are tagged.
	for i, id := range ids {
		if has := contains(labelsOf(res, id), coach.LabelOvertrading); has != (i >= 4) {
			t.Errorf("order %d of the busy day: OVERTRADING = %v", i+1, has)
		}
	}
}

func TestSkipsNameTheMissingHistory(t *testing.T) {
	t.Parallel()
	a := coach.MustParseSymbol("AAA-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{a: flat(a, 100, start, 400)}
	var bk book
	sell := bk.add(a, coach.Sell, start.Add(200*time.Hour), 1, 100) // closes nothing the trades show
	first := bk.add(a, coach.Buy, start.Add(201*time.Hour), 1, 100)
	bk.add(a, coach.Buy, start.Add(202*time.Hour), 1, 100)
	bk.add(a, coach.Sell, start.Add(203*time.Hour), 1, 80)
	rebuy := bk.add(a, coach.Buy, start.Add(203*time.Hour+10*time.Minute), 5, 80)
	res := mustScore(t, bk.trades, candles, bias.DefaultConfig())
	want := []bias.Skip{
		{TradeID: sell, Label: coach.LabelPanic, Cause: bias.CauseNoPosition, Reason: "unknown P/L: the trades show no holdings of AAA-USD for this sell to close"},
		{TradeID: first, Label: coach.LabelRevenge, Cause: bias.CauseNoPosition, Reason: "unknown P/L: the sell just before this entry closed holdings the trades do not show"},
		{TradeID: rebuy, Label: coach.LabelRevenge, Cause: bias.CauseBaseline, Reason: "insufficient data: 2 earlier entries in USD for a size baseline, need 5"},
	}
	var got []bias.Skip
	for _, s := range res.Skipped {
		if s.Label != coach.LabelFOMO { // the flat market leaves FOMO undefined; not the point here
			got = append(got, s)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("skips (-want +got):\n%s", diff)
	}
	if res.Ledger.UncoveredSells != 1 {
		t.Errorf("ledger report = %+v, want 1 uncovered sell", res.Ledger)
	}
}

var cmpNaN = cmp.Comparer(func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) })

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
