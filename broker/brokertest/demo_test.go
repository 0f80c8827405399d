package brokertest_test

import (
	"context"
	"math"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/storage/memory"
)

func mustDemo(t testing.TB, seed int64, opts brokertest.DemoOptions) *brokertest.Demo {
	t.Helper()
	d, err := brokertest.NewDemo(seed, opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func allCandles(t testing.TB, d *brokertest.Demo, iv coach.Interval) map[coach.Symbol][]coach.Candle {
	t.Helper()
	out := map[coach.Symbol][]coach.Candle{}
	for _, s := range d.Symbols() {
		cs, err := d.Candles(context.Background(), s, iv, d.Start(), d.End())
		if err != nil {
			t.Fatal(err)
		}
		out[s] = cs
	}
	return out
}

func TestDemoIsDeterministic(t *testing.T) {
	t.Parallel()
	opts := brokertest.DemoOptions{Days: 20}
	a, b := mustDemo(t, 7, opts), mustDemo(t, 7, opts)
	if diff := cmp.Diff(a.Trades(), b.Trades()); diff != "" {
		t.Errorf("trades differ for one seed (-a +b):\n%s", diff)
	}
	if diff := cmp.Diff(a.Episodes(), b.Episodes()); diff != "" {
		t.Errorf("episodes differ for one seed (-a +b):\n%s", diff)
	}
	for _, iv := range []coach.Interval{coach.Minute1, coach.Hour1, coach.Day1} {
		ca, cb := allCandles(t, a, iv), allCandles(t, b, iv)
		for _, s := range a.Symbols() {
			if i := firstDiff(ca[s], cb[s]); i >= 0 {
				t.Errorf("%s %s candles differ for one seed at bar %d", s, iv, i)
			}
		}
	}
	c := mustDemo(t, 8, opts)
	if cmp.Equal(a.Trades(), c.Trades()) || firstDiff(allCandles(t, a, coach.Hour1)["BTC-USDT"], allCandles(t, c, coach.Hour1)["BTC-USDT"]) < 0 {
		t.Error("seeds 7 and 8 give the same demo")
	}
}

// firstDiff is the index of the first bar that differs, or -1 (bit-for-bit equality).
func firstDiff(a, b []coach.Candle) int {
	for i := range min(len(a), len(b)) {
		x, y := a[i], b[i]
		if x.Symbol != y.Symbol || x.Interval != y.Interval || !x.OpenTime.Equal(y.OpenTime) ||
			math.Float64bits(x.Open) != math.Float64bits(y.Open) || math.Float64bits(x.High) != math.Float64bits(y.High) ||
			math.Float64bits(x.Low) != math.Float64bits(y.Low) || math.Float64bits(x.Close) != math.Float64bits(y.Close) ||
			math.Float64bits(x.Volume) != math.Float64bits(y.Volume) {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func TestDemoCandles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := mustDemo(t, 3, brokertest.DemoOptions{Days: 12, Start: time.Date(2026, 2, 1, 13, 0, 0, 0, time.UTC)})
	if !d.Start().Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) || !d.End().Equal(d.Start().AddDate(0, 0, 12)) {
		t.Fatalf("window [%v, %v)", d.Start(), d.End())
	}
	m1 := allCandles(t, d, coach.Minute1)
	for sym, cs := range m1 {
		if len(cs) != 12*24*60 {
			t.Fatalf("%s: %d minute bars, want %d", sym, len(cs), 12*24*60)
		}
		for i, c := range cs {
			if err := c.Validate(); err != nil {
				t.Fatalf("%s bar %d: %v", sym, i, err)
			}
			if c.Symbol != sym || !c.OpenTime.Equal(d.Start().Add(time.Duration(i)*time.Minute)) {
				t.Fatalf("%s bar %d: %s at %v", sym, i, c.Symbol, c.OpenTime)
			}
			if i > 0 && c.Open != cs[i-1].Close {
				t.Fatalf("%s bar %d opens at %v, the previous closed at %v", sym, i, c.Open, cs[i-1].Close)
			}
		}
	}
	// Wider bars are built from the minutes: check each interval against a fold of them.
	for _, iv := range []coach.Interval{coach.Minute5, coach.Minute15, coach.Hour1, coach.Hour4, coach.Day1} {
		n := int(iv.Duration() / time.Minute)
		for sym, mins := range m1 {
			from := d.Start().Add(3*24*time.Hour + 17*time.Minute) // not aligned: the first bar starts after
			cs, err := d.Candles(ctx, sym, iv, from, from.Add(2*24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) == 0 || cs[0].OpenTime.Before(from) || !cs[0].OpenTime.Truncate(iv.Duration()).Equal(cs[0].OpenTime) {
				t.Fatalf("%s %s: first bar %v for from %v", sym, iv, cs[0].OpenTime, from)
			}
			for _, c := range cs {
				k := int(c.OpenTime.Sub(d.Start()) / time.Minute)
				want := coach.Candle{Symbol: sym, Interval: iv, OpenTime: c.OpenTime, Open: mins[k].Open, Close: mins[k+n-1].Close, High: mins[k].High, Low: mins[k].Low}
				var v float64
				for _, m := range mins[k : k+n] {
					want.High, want.Low = max(want.High, m.High), min(want.Low, m.Low)
					v += m.Volume
				}
				want.Volume = c.Volume
				if diff := cmp.Diff(want, c); diff != "" || math.Abs(v-c.Volume) > 1e-3 {
					t.Fatalf("%s %s bar %v (-fold +got, volume %v vs %v):\n%s", sym, iv, c.OpenTime, v, c.Volume, diff)
				}
			}
		}
	}
	if _, err := d.Candles(ctx, "DOGE-USDT", coach.Minute1, d.Start(), d.End()); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("unknown symbol: err = %v, want ENOTFOUND", err)
	}
	if _, err := d.Candles(ctx, "BTC-USDT", "3m", d.Start(), d.End()); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("unknown interval: err = %v, want EINVALID", err)
	}
	if cs, err := d.Candles(ctx, "BTC-USDT", coach.Hour1, d.End(), d.End().Add(time.Hour)); err != nil || len(cs) != 0 {
		t.Errorf("after the end: %d bars, %v", len(cs), err)
	}
	for _, bad := range []brokertest.DemoOptions{{Days: 5}, {Days: 400}, {PageSize: -1}, {Start: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)}} {
		if _, err := brokertest.NewDemo(1, bad); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("options %+v: err = %v, want EINVALID", bad, err)
		}
	}
}

// order is a set of fills with one TS, symbol and side: partial fills of one order.
type order struct {
	ts       time.Time
	symbol   coach.Symbol
	side     coach.Side
	qty      decimal.Decimal
	notional float64
	fee      float64
	extIDs   []string
	// Filled in by replay: for a sell, the realized P/L and its cost basis; the holding before
	// it; the hold time since the position opened.
	pnl, basis, heldBefore float64
	hold                   time.Duration
}

// replay groups fills into orders and runs an average-cost ledger over them.
func replay(t *testing.T, trades []coach.Trade) []*order {
	t.Helper()
	var orders []*order
	for _, tr := range trades {
		if n := len(orders); n > 0 {
			o := orders[n-1]
			if o.ts.Equal(tr.TS) && o.symbol == tr.Symbol && o.side == tr.Side {
				o.qty = o.qty.Add(tr.Qty)
				o.notional += tr.Notional().InexactFloat64()
				o.fee += tr.Fee.Decimal.InexactFloat64()
				o.extIDs = append(o.extIDs, tr.ExtID)
				continue
			}
		}
		orders = append(orders, &order{ts: tr.TS, symbol: tr.Symbol, side: tr.Side, qty: tr.Qty, notional: tr.Notional().InexactFloat64(), fee: tr.Fee.Decimal.InexactFloat64(), extIDs: []string{tr.ExtID}})
	}
	type pos struct {
		qty    decimal.Decimal
		cost   float64 // with buy fees
		opened time.Time
	}
	book := map[coach.Symbol]*pos{}
	for _, o := range orders {
		p := book[o.symbol]
		if p == nil {
			p = &pos{}
			book[o.symbol] = p
		}
		o.heldBefore = p.qty.InexactFloat64()
		if o.side == coach.Buy {
			if p.qty.IsZero() {
				p.opened = o.ts
			}
			p.qty = p.qty.Add(o.qty)
			p.cost += o.notional + o.fee
			continue
		}
		if o.qty.GreaterThan(p.qty) {
			t.Fatalf("sell %v of %s at %v exceeds the holding %v", o.qty, o.symbol, o.ts, p.qty)
		}
		frac := o.qty.Div(p.qty).InexactFloat64()
		o.basis = p.cost * frac
		o.pnl = o.notional - o.fee - o.basis
		o.hold = o.ts.Sub(p.opened)
		p.cost -= o.basis
		p.qty = p.qty.Sub(o.qty)
	}
	for s, p := range book {
		if !p.qty.IsZero() {
			t.Errorf("%s: %v still held at the end", s, p.qty)
		}
	}
	return orders
}

func TestDemoTradesAreConsistent(t *testing.T) {
	t.Parallel()
	d := mustDemo(t, 11, brokertest.DemoOptions{Days: 25})
	trades := d.Trades()
	if len(trades) < 150 {
		t.Fatalf("only %d fills", len(trades))
	}
	m1 := allCandles(t, d, coach.Minute1)
	seen := map[string]bool{}
	for i, tr := range trades {
		if err := tr.Validate(); err != nil {
			t.Fatalf("fill %d: %v", i, err)
		}
		if seen[tr.ExtID] || tr.Broker != coach.BrokerDemo || tr.FeeAsset != "USDT" {
			t.Fatalf("fill %d: id %s broker %s fee asset %s", i, tr.ExtID, tr.Broker, tr.FeeAsset)
		}
		seen[tr.ExtID] = true
		if i > 0 && (tr.TS.Before(trades[i-1].TS) || tr.ExtID <= trades[i-1].ExtID) {
			t.Fatalf("fill %d is out of order", i)
		}
		bar := m1[tr.Symbol][int(tr.TS.Sub(d.Start())/time.Minute)]
		if p := tr.Price.InexactFloat64(); p < bar.Low || p > bar.High {
			t.Fatalf("fill %s at %v: price %v outside the minute's range [%v, %v]", tr.ExtID, tr.TS, p, bar.Low, bar.High)
		}
		if want := tr.Notional().Mul(decimal.RequireFromString("0.001")).Round(8); !tr.Fee.Decimal.Equal(want) {
			t.Fatalf("fill %s: fee %v, want 0.1%% = %v", tr.ExtID, tr.Fee.Decimal, want)
		}
	}
	replay(t, trades) // fails on a short sale and on a position left open
}

// hourly gives the scorer's view: the last hourly bar closed at or before ts, and its index.
type hourly struct {
	start time.Time
	bars  map[coach.Symbol][]coach.Candle
}

func (h hourly) c(ts time.Time) int { return int(ts.Sub(h.start)/time.Hour) - 1 }

func (h hourly) rangePos(s coach.Symbol, c int, p float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, b := range h.bars[s][c-23 : c+1] {
		lo, hi = min(lo, b.Low), max(hi, b.High)
	}
	return (p - lo) / (hi - lo)
}

func (h hourly) abnormalVolume(s coach.Symbol, c int) float64 {
	var v float64
	for _, b := range h.bars[s][c-168 : c] {
		v += b.Volume
	}
	return h.bars[s][c].Volume / (v / 168)
}

func (h hourly) drawdown(s coach.Symbol, c int, p float64) float64 {
	hi := 0.0
	for _, b := range h.bars[s][c-23 : c+1] {
		hi = max(hi, b.High)
	}
	return 1 - p/hi
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// TestDemoEpisodesShowTheirBias checks every planted episode against the published definitions
// (bias/DEFINITIONS.md, hourly bars), recomputed here from the demo's own candles and fills.
func TestDemoEpisodesShowTheirBias(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 2, 3} {
		d := mustDemo(t, seed, brokertest.DemoOptions{})
		h := hourly{start: d.Start(), bars: allCandles(t, d, coach.Hour1)}
		orders := replay(t, d.Trades())
		byExt := map[string]*order{}
		for _, o := range orders {
			for _, id := range o.extIDs {
				byExt[id] = o
			}
		}
		count := map[string]int{}
		for _, e := range d.Episodes() {
			count[e.Label]++
			o := byExt[e.Focus]
			if o == nil || !o.ts.Equal(e.At) {
				t.Fatalf("seed %d: episode %s focus %s is not a fill at %v", seed, e.Label, e.Focus, e.At)
			}
			p := o.notional / o.qty.InexactFloat64()
			c := h.c(o.ts)
			fail := func(format string, args ...any) {
				t.Helper()
				t.Errorf("seed %d %s %s at %v: "+format, append([]any{seed, e.Label, e.Symbol, e.At}, args...)...)
			}
			switch e.Label {
			case coach.LabelFOMO:
				r24 := h.bars[o.symbol][c].Close/h.bars[o.symbol][c-24].Close - 1
				if o.side != coach.Buy || h.rangePos(o.symbol, c, p) < 0.8 || r24 < 0.05 || h.abnormalVolume(o.symbol, c) < 2 {
					fail("side %s rangePos %.3f return24 %.3f abnormalVolume %.2f", o.side, h.rangePos(o.symbol, c, p), r24, h.abnormalVolume(o.symbol, c))
				}
			case coach.LabelPanic:
				frac := o.qty.InexactFloat64() / o.heldBefore
				if o.side != coach.Sell || o.pnl >= 0 || frac < 0.5 || h.drawdown(o.symbol, c, p) < 0.05 || h.abnormalVolume(o.symbol, c) < 2 {
					fail("side %s pnl %.2f sold %.2f drawdown %.3f abnormalVolume %.2f", o.side, o.pnl, frac, h.drawdown(o.symbol, c, p), h.abnormalVolume(o.symbol, c))
				}
			case coach.LabelRevenge:
				var loss *order
				var prior []float64
				for _, q := range orders {
					if !q.ts.Before(o.ts) {
						break
					}
					if q.side == coach.Sell && q.pnl < -0.005*q.basis && o.ts.Sub(q.ts) <= time.Hour {
						loss = q
					}
					if q.side == coach.Buy {
						prior = append(prior, q.notional)
					}
				}
				if len(prior) > 20 {
					prior = prior[len(prior)-20:]
				}
				if o.side != coach.Buy || loss == nil || len(prior) < 5 || o.notional < 1.5*median(prior) {
					fail("side %s loss within an hour %v, size %.0f vs median %.0f of %d", o.side, loss != nil, o.notional, median(prior), len(prior))
				}
			case coach.LabelDiscipline:
				var lossBefore bool
				for _, q := range orders {
					if q.side == coach.Sell && q.pnl < 0 && !q.ts.After(o.ts) && o.ts.Sub(q.ts) <= time.Hour {
						lossBefore = true
					}
				}
				if o.side != coach.Buy || o.notional > 1000 || o.notional < 950 || lossBefore || (c >= 23 && h.rangePos(o.symbol, c, p) > 0.7) {
					fail("side %s notional %.2f loss in the hour before %v", o.side, o.notional, lossBefore)
				}
			case coach.LabelDisposition:
				paperLoss := false
				book := map[coach.Symbol][2]float64{} // qty, cost
				for _, q := range orders {
					if !q.ts.Before(o.ts) {
						break
					}
					b := book[q.symbol]
					if q.side == coach.Buy {
						b[0] += q.qty.InexactFloat64()
						b[1] += q.notional + q.fee
					} else {
						b[1] -= q.basis
						b[0] -= q.qty.InexactFloat64()
					}
					book[q.symbol] = b
				}
				for s, b := range book {
					if s != o.symbol && b[0] > 1e-12 && h.bars[s][c].High < b[1]/b[0] {
						paperLoss = true
					}
				}
				if o.side != coach.Sell || o.pnl <= 0 || !paperLoss {
					fail("side %s pnl %.2f another asset at a paper loss %v", o.side, o.pnl, paperLoss)
				}
			case coach.LabelHoldingLosers:
				if o.side != coach.Sell || o.pnl >= 0 || o.hold < 48*time.Hour {
					fail("side %s pnl %.2f held %v", o.side, o.pnl, o.hold)
				}
			case coach.LabelOvertrading:
				day := func(ts time.Time) int { return int(ts.Sub(d.Start()) / (24 * time.Hour)) }
				perDay := map[int]int{}
				for _, q := range orders {
					perDay[day(q.ts)]++
				}
				var prev []float64
				for k := day(o.ts) - 1; k >= 0 && len(prev) < 30; k-- {
					if perDay[k] > 0 {
						prev = append(prev, float64(perDay[k]))
					}
				}
				if need := max(5, math.Ceil(2*median(prev))); len(prev) < 5 || float64(perDay[day(o.ts)]) < need {
					fail("%d orders that day, %d earlier active days with median %.1f", perDay[day(o.ts)], len(prev), median(prev))
				}
			default:
				fail("unknown label")
			}
		}
		for _, l := range []string{coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge, coach.LabelDiscipline, coach.LabelOvertrading, coach.LabelDisposition, coach.LabelHoldingLosers} {
			if count[l] == 0 {
				t.Errorf("seed %d: no %s episode (%v)", seed, l, count)
			}
		}
		// Account level: losers are held much longer than winners (HOLDING_LOSERS ratio ≥ 1.5).
		var win, lose []float64
		for _, o := range orders {
			if o.side == coach.Sell && o.pnl > 0 {
				win = append(win, o.hold.Minutes())
			} else if o.side == coach.Sell && o.pnl < 0 {
				lose = append(lose, o.hold.Minutes())
			}
		}
		mean := func(xs []float64) float64 {
			var s float64
			for _, x := range xs {
				s += x
			}
			return s / float64(len(xs))
		}
		if r := mean(lose) / mean(win); r < 1.5 {
			t.Errorf("seed %d: losers held %.1fx as long as winners, want ≥ 1.5", seed, r)
		}
	}
}

func TestDemoFillsPageWithCheckpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := mustDemo(t, 5, brokertest.DemoOptions{PageSize: 25, Days: 25})
	all := d.Trades()
	req := broker.FillsRequest{From: d.Start(), To: d.End()}
	var got []coach.Trade
	cps := map[string]string{}
	err := d.Fills(ctx, req, func(p broker.FillPage) error {
		if len(p.Trades) == 0 || len(p.Trades) > 25 || p.Checkpoint != p.Trades[len(p.Trades)-1].ExtID {
			t.Fatalf("page of %d, checkpoint %q", len(p.Trades), p.Checkpoint)
		}
		for _, tr := range p.Trades {
			if string(tr.Symbol) != p.Scope {
				t.Fatalf("fill of %s in scope %s", tr.Symbol, p.Scope)
			}
		}
		got = append(got, p.Trades...)
		cps[p.Scope] = p.Checkpoint
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sortTrades := func(ts []coach.Trade) []coach.Trade {
		slices.SortFunc(ts, func(a, b coach.Trade) int { return a.TS.Compare(b.TS)*2 + cmpStr(a.ExtID, b.ExtID) })
		return ts
	}
	if diff := cmp.Diff(all, sortTrades(got)); diff != "" {
		t.Errorf("all pages (-Trades +Fills):\n%s", diff)
	}
	// With every checkpoint, nothing is left; with one scope's, only the other scopes come.
	n := 0
	if err := d.Fills(ctx, broker.FillsRequest{From: d.Start(), To: d.End(), Checkpoints: cps}, func(p broker.FillPage) error { n += len(p.Trades); return nil }); err != nil || n != 0 {
		t.Errorf("after the last checkpoints: %d fills, %v", n, err)
	}
	// A window and a symbol filter.
	from, to := d.Start().Add(10*24*time.Hour), d.Start().Add(20*24*time.Hour)
	var sub []coach.Trade
	if err := d.Fills(ctx, broker.FillsRequest{From: from, To: to, Symbols: []coach.Symbol{"ETH-USDT", "XRP-USDT"}}, func(p broker.FillPage) error {
		sub = append(sub, p.Trades...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var want []coach.Trade
	for _, tr := range all {
		if tr.Symbol == "ETH-USDT" && !tr.TS.Before(from) && tr.TS.Before(to) {
			want = append(want, tr)
		}
	}
	if len(want) == 0 || !cmp.Equal(want, sub) {
		t.Errorf("filtered fills: got %d, want %d", len(sub), len(want))
	}
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestDemoImports runs the demo through the importer: everything once, a crash resumes, a
// re-import adds nothing.
func TestDemoImports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := mustDemo(t, 9, brokertest.DemoOptions{PageSize: 40, Days: 20})
	clock := coach.NewManualClock(d.End())
	store := memory.New(memory.WithClock(clock))
	defer store.Close()
	conn := coach.BrokerConnection{ID: "demo1", UserID: "u1", Broker: coach.BrokerDemo, Status: coach.ConnectionActive, AccessEnc: []byte("sealed-access"), CreatedAt: d.Start()}
	if err := store.Connections().Create(ctx, conn); err != nil {
		t.Fatal(err)
	}
	imp := mustImporter(t, broker.ImporterConfig{Store: store, Clock: clock, Window: 20 * 24 * time.Hour})

	crashing := &failAfter{Broker: d, pages: 3}
	first, err := imp.Import(ctx, "u1", conn, crashing)
	if coach.ErrorCode(err) != coach.EUNAVAILABLE || first.Pages != 3 || first.Inserted == 0 {
		t.Fatalf("crashing import: %+v, %v", first, err)
	}
	sum, err := imp.Import(ctx, "u1", conn, d)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := store.Trades().Count(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if stored != len(d.Trades()) || first.Inserted+sum.Inserted != len(d.Trades()) || sum.Duplicates != 0 {
		t.Errorf("stored %d of %d fills; resumed import %+v", stored, len(d.Trades()), sum)
	}
	again, err := imp.Import(ctx, "u1", conn, d)
	if err != nil || again.Inserted != 0 || again.Fetched != 0 {
		t.Errorf("re-import: %+v, %v", again, err)
	}
}

// failAfter is a Broker that stops with EUNAVAILABLE after some pages.
type failAfter struct {
	broker.Broker
	pages int
}

func (f *failAfter) Fills(ctx context.Context, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	n := 0
	err := f.Broker.Fills(ctx, req, func(p broker.FillPage) error {
		if n == f.pages {
			return coach.Errorf(coach.EUNAVAILABLE, "connection reset")
		}
		n++
		return emit(p)
	})
	return err
}

func BenchmarkNewDemo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := brokertest.NewDemo(42, brokertest.DemoOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	bars := float64(brokertest.DemoDefaultDays * 24 * 60 * 3)
	b.ReportMetric(bars*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
}

// mustImporter returns broker.NewImporter(cfg) or fails the test.
func mustImporter(t testing.TB, cfg broker.ImporterConfig) *broker.Importer {
	t.Helper()
	imp, err := broker.NewImporter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return imp
}
