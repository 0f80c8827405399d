package bias_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker/brokertest"
)

// validationRun scores a short validation persona history (brokertest.NewValidation) on its
// minute candles under the persona's written plan, every rule kept, and returns each order's
// labels: the union of its fills' tags.
func validationRun(t *testing.T, seed int64, tr brokertest.ValidationTrader, v *brokertest.Validation) [][]string {
	t.Helper()
	cfg := bias.DefaultConfig()
	cfg.Interval = coach.Minute1
	cfg.Plan = bias.PlanOf(v.Plan())
	cfg.Rules = func(coach.Trade) bias.Verdict { return bias.Verdict{Checked: 1} }
	res, err := bias.Score(tr.Trades, v.Candles(coach.Minute1), cfg)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	of := tr.OrderOf()
	out := make([][]string, len(tr.Orders))
	for _, g := range res.Tags {
		i := of[g.TradeID]
		if !slices.Contains(out[i], g.Label) {
			out[i] = append(out[i], g.Label)
		}
	}
	for i := range out {
		slices.Sort(out[i])
	}
	return out
}

// unsplit fills every order of tr in one piece: the first fill's ExtID, the total quantity and
// fee, the volume-weighted price.
func unsplit(tr brokertest.ValidationTrader) brokertest.ValidationTrader {
	byExt := map[string]coach.Trade{}
	for _, f := range tr.Trades {
		byExt[f.ExtID] = f
	}
	out := brokertest.ValidationTrader{Orders: slices.Clone(tr.Orders)}
	for i, o := range tr.Orders {
		one := byExt[o.ExtIDs[0]]
		var qty, notional, fee decimal.Decimal
		for _, id := range o.ExtIDs {
			f := byExt[id]
			qty, notional, fee = qty.Add(f.Qty), notional.Add(f.Qty.Mul(f.Price)), fee.Add(f.Fee.Decimal)
		}
		one.Qty, one.Price, one.Fee = qty, notional.DivRound(qty, coach.MaxPricePlaces), decimal.NewNullDecimal(fee)
		out.Trades = append(out.Trades, one)
		out.Orders[i].ExtIDs = []string{one.ExtID}
	}
	return out
}

func newValidation(t *testing.T, seed int64) *brokertest.Validation {
	t.Helper()
	v, err := brokertest.NewValidation(seed, brokertest.ValidationOptions{Days: 21})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// An order split into many fills gets the labels of the same order filled in one piece.
func TestSplitOrderGetsTheLabelsOfTheWholeOrder(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{11, 12} {
		v := newValidation(t, seed)
		tr := v.Persona()
		split, whole := validationRun(t, seed, tr, v), validationRun(t, seed, unsplit(tr), v)
		n := 0
		for i, o := range tr.Orders {
			if len(o.ExtIDs) < 2 {
				continue
			}
			n++
			if !slices.Equal(split[i], whole[i]) {
				t.Errorf("seed %d order %s (%d fills, %s): split %v, whole %v", seed, o.Key, len(o.ExtIDs), o.Reason, split[i], whole[i])
			}
		}
		if n == 0 {
			t.Fatalf("seed %d: no split order to compare", seed)
		}
	}
}

// No order is both praised (DISCIPLINE) and questioned (FOMO, PANIC, REVENGE, HOLDING_LOSERS),
// over generated histories of the persona and of the null trader.
func TestNoOrderIsPraisedAndQuestioned(t *testing.T) {
	t.Parallel()
	questioning := []string{coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge, coach.LabelHoldingLosers}
	praised := 0
	for _, seed := range []int64{13, 14, 15} {
		v := newValidation(t, seed)
		for _, tr := range []brokertest.ValidationTrader{v.Persona(), v.Null()} {
			for i, ls := range validationRun(t, seed, tr, v) {
				if !slices.Contains(ls, coach.LabelDiscipline) {
					continue
				}
				praised++
				for _, q := range questioning {
					if slices.Contains(ls, q) {
						t.Errorf("seed %d order %s (%s): DISCIPLINE with %s", seed, tr.Orders[i].Key, tr.Orders[i].Reason, q)
					}
				}
			}
		}
	}
	if praised == 0 {
		t.Fatal("no order was praised: the property was not exercised")
	}
}

// An exit at the trader's declared stop (their stopLossPct rule) is never PANIC, even in a sharp
// drop: the persona's plan-stop exits, and a hand-made crash whose sale fills at the stop.
func TestExitAtTheDeclaredStopIsNeverPanic(t *testing.T) {
	t.Parallel()
	stops := 0
	for _, seed := range []int64{16, 17, 18} {
		v := newValidation(t, seed)
		tr := v.Persona()
		for i, ls := range validationRun(t, seed, tr, v) {
			r := tr.Orders[i].Reason
			if r != brokertest.ReasonPlanStop && r != brokertest.ReasonPlanStopInDrop {
				continue
			}
			stops++
			if slices.Contains(ls, coach.LabelPanic) {
				t.Errorf("seed %d order %s (%s): PANIC on an exit at the stop", seed, tr.Orders[i].Key, r)
			}
		}
	}
	if stops == 0 {
		t.Fatal("no exit at the stop")
	}

	// A crash: a quiet week, then the price falls 8% in an hour with heavy volume. The trader
	// bought at 100 with a 2.5% stop; the stop sells at 97.5, and without the plan the same sale
	// is PANIC.
	sym := coach.Symbol("ETH-USDT")
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var candles []coach.Candle
	n := 9 * 24 * 60
	price := 100.0
	for i := range n {
		open := price
		vol := 10.0
		crash := i >= n-60
		if crash {
			price *= 0.9986
			vol = 80
		} else {
			price = 100 + 0.3*float64(i%7-3)/3
		}
		candles = append(candles, coach.Candle{Symbol: sym, Interval: coach.Minute1, OpenTime: start.Add(time.Duration(i) * time.Minute),
			Open: open, High: max(open, price) * 1.0002, Low: min(open, price) * 0.9998, Close: price, Volume: vol})
	}
	buyAt := start.Add(time.Duration(n-120) * time.Minute).Add(10 * time.Second)
	sellAt := start.Add(time.Duration(n-42) * time.Minute).Add(10 * time.Second)
	stop := 100 * 0.975
	trades := []coach.Trade{
		{ID: "b", UserID: "u", Broker: "demo", ExtID: "b", Symbol: sym, Side: coach.Buy, Qty: decimal.NewFromInt(10), Price: decimal.NewFromInt(100), TS: buyAt},
		{ID: "s", UserID: "u", Broker: "demo", ExtID: "s", Symbol: sym, Side: coach.Sell, Qty: decimal.NewFromInt(10), Price: decimal.NewFromFloat(stop), TS: sellAt},
	}
	series := coach.SeriesOf(candles)
	cfg := bias.DefaultConfig()
	cfg.Interval = coach.Minute1
	cfg.PanicMinLoss, cfg.PanicDrawdown = 0.02, 0.02
	without, err := bias.Score(trades, series, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !hasLabel(without, "s", coach.LabelPanic) {
		t.Fatalf("without a plan the crash sale is not PANIC, so the test shows nothing: %+v %+v", without.Tags, without.Skipped)
	}
	cfg.Plan = bias.Plan{StopLossPct: 2.5}
	with, err := bias.Score(trades, series, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if hasLabel(with, "s", coach.LabelPanic) {
		t.Errorf("the sale at the declared stop is PANIC: %+v", with.Tags)
	}
}

func hasLabel(res bias.Result, tradeID, label string) bool {
	return slices.ContainsFunc(res.Tags, func(g coach.BiasTag) bool { return g.TradeID == tradeID && g.Label == label })
}

// Fills with the broker's order id are one order whenever they fill; fills without one are one
// order when they share time, symbol and side. Each fill of an order carries the order's tags.
func TestOrdersGroupByOrderIDElseTimeSymbolSide(t *testing.T) {
	t.Parallel()
	a := coach.MustParseSymbol("AAA-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{a: flat(a, 100, start, 24*20)}
	var bk book
	for d := 9; d < 15; d++ { // six quiet days, one order each
		bk.add(a, coach.Buy, start.Add(time.Duration(d)*24*time.Hour+9*time.Hour), 1, 100)
	}
	day := start.Add(15 * 24 * time.Hour)
	var ids []string
	for i := range 4 { // four orders, a quarter of an hour apart
		ids = append(ids, bk.add(a, coach.Buy, day.Add(time.Duration(15*i)*time.Minute), 1, 100))
	}
	// The fifth order: one broker order filled over ten minutes in three fills.
	var fifth []string
	for m := range 3 {
		id := bk.add(a, coach.Buy, day.Add(time.Hour+time.Duration(5*m)*time.Minute), 1, 100)
		bk.trades[len(bk.trades)-1].OrderID = "ord-5"
		fifth = append(fifth, id)
	}
	// The sixth: two fills of the same time, symbol and side, no order id.
	sixth := []string{bk.add(a, coach.Buy, day.Add(90*time.Minute), 1, 100), bk.add(a, coach.Buy, day.Add(90*time.Minute), 1, 100)}
	res := mustScore(t, bk.trades, candles, bias.DefaultConfig())
	if got := res.Account.Overtrading.Trades; got != 12 {
		t.Errorf("%d orders counted, want 12 (six days, four single fills, two split orders)", got)
	}
	// The fifth order takes the last OvertradingWindow (2h) to OvertradingMinTrades: all its fills
	// carry OVERTRADING, as do the sixth's; the four before do not.
	for _, id := range ids {
		if contains(labelsOf(res, id), coach.LabelOvertrading) {
			t.Errorf("%s: OVERTRADING before the day reached its threshold", id)
		}
	}
	for _, id := range append(fifth, sixth...) {
		if !contains(labelsOf(res, id), coach.LabelOvertrading) {
			t.Errorf("%s: a fill of an order past the threshold lacks OVERTRADING", id)
		}
	}
	var first, later coach.BiasTag
	for _, g := range res.Tags {
		switch g.TradeID {
		case fifth[0]:
			first = g
		case fifth[2]:
			later = g
		}
	}
	if string(first.Features) != string(later.Features) || !strings.Contains(string(first.Features), `"orderFills":3,"orderOf":"`+fifth[0]+`"`) {
		t.Errorf("the fills of one order carry different features:\n%s\n%s", first.Features, later.Features)
	}
	if bias.OrderKey(bk.trades[10]) != bias.OrderKey(bk.trades[12]) || bias.OrderKey(bk.trades[13]) != bias.OrderKey(bk.trades[14]) ||
		bias.OrderKey(bk.trades[9]) == bias.OrderKey(bk.trades[10]) {
		t.Error("OrderKey does not name the orders as scoring groups them")
	}
}
