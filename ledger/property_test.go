package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// history is a random trade history and what a simple, independent model of the ledger's
// conventions says about it.
type history struct {
	fills     []coach.Trade                    // in the ledger's order
	held      map[coach.Symbol]decimal.Decimal // base quantity held at the end
	uncovered map[coach.Symbol]decimal.Decimal // base quantity sold beyond holdings
	cash      map[string]decimal.Decimal       // net cash flow per quote asset, fees included
	fees      map[string]decimal.Decimal       // every known fee, in the quote asset
}

var propSymbols = []coach.Symbol{"BTC-USDT", "ETH-USDT", "ETH-BTC"}

// propPrices converts BNB at a fixed price in each quote asset.
func propPrices(asset, quote string, _ time.Time) (decimal.Decimal, bool) {
	if asset != "BNB" {
		return decimal.Decimal{}, false
	}
	switch quote {
	case "USDT":
		return d("612.5"), true
	case "BTC":
		return d("0.0091"), true
	}
	return decimal.Decimal{}, false
}

type historyOptions struct {
	n         int
	oversell  bool // sells may exceed holdings
	closeAll  bool // end flat: a last sell of everything held, per symbol
	huge      bool // amounts far beyond an int64 coefficient
	timeSlots int  // distinct timestamps: few slots make many ties
}

// randomHistory draws fills with random quantities, prices and every kind of fee.
func randomHistory(rng *rand.Rand, o historyOptions) history {
	scale := func(max int64, places int32) decimal.Decimal {
		v := decimal.New(1+rng.Int64N(max), -places)
		if o.huge {
			v = v.Mul(decimal.New(1+rng.Int64N(1_000_000), 3))
		}
		return v
	}
	var fills []coach.Trade
	for i := range o.n {
		sym := propSymbols[rng.IntN(len(propSymbols))]
		f := coach.Trade{
			ID: fmt.Sprintf("t%03d", i), UserID: "u1", Broker: []string{"binance", "coinbase"}[rng.IntN(2)],
			ExtID: fmt.Sprintf("e%03d", rng.IntN(1000)), Symbol: sym, Side: coach.Buy,
			Qty: scale(5000, 3), Price: scale(100_000, 2),
			TS: t0.Add(time.Duration(rng.IntN(o.timeSlots)) * time.Minute),
		}
		if rng.IntN(2) == 0 {
			f.Side = coach.Sell
		}
		switch rng.IntN(5) {
		case 0:
			f.Fee = decimal.NewNullDecimal(decimal.Zero)
		case 1:
			f.Fee, f.FeeAsset = decimal.NewNullDecimal(f.Qty.Mul(f.Price).Mul(d("0.001")).Round(8)), sym.Quote()
		case 2:
			f.Fee, f.FeeAsset = decimal.NewNullDecimal(f.Qty.Mul(d("0.001"))), sym.Base()
		case 3:
			f.Fee, f.FeeAsset = decimal.NewNullDecimal(decimal.New(1+rng.Int64N(100_000), -8)), "BNB"
		case 4: // unknown
		}
		fills = append(fills, f)
	}
	slices.SortStableFunc(fills, func(a, b coach.Trade) int {
		if c := a.TS.Compare(b.TS); c != 0 {
			return c
		}
		return cmpStrings(a.Broker+"\x00"+a.ExtID+"\x00"+a.ID, b.Broker+"\x00"+b.ExtID+"\x00"+b.ID)
	})

	h := history{
		held: map[coach.Symbol]decimal.Decimal{}, uncovered: map[coach.Symbol]decimal.Decimal{},
		cash: map[string]decimal.Decimal{}, fees: map[string]decimal.Decimal{},
	}
	model := func(f *coach.Trade) {
		q, base := f.Symbol.Quote(), f.Symbol.Base()
		var feeQuote, feeBase decimal.Decimal
		switch {
		case !f.Fee.Valid:
		case f.FeeAsset == q:
			feeQuote = f.Fee.Decimal
		case f.FeeAsset == base:
			feeBase, feeQuote = f.Fee.Decimal, f.Fee.Decimal.Mul(f.Price)
		case f.FeeAsset == "BNB":
			p, _ := propPrices("BNB", q, f.TS)
			feeQuote = f.Fee.Decimal.Mul(p)
		}
		h.fees[q] = h.fees[q].Add(feeQuote)
		notional := f.Qty.Mul(f.Price)
		if f.Side == coach.Buy {
			h.cash[q] = h.cash[q].Sub(notional)
			if feeBase.IsZero() {
				h.cash[q] = h.cash[q].Sub(feeQuote)
			}
			h.held[f.Symbol] = h.held[f.Symbol].Add(f.Qty).Sub(feeBase)
			return
		}
		h.cash[q] = h.cash[q].Add(notional)
		if feeBase.IsZero() {
			h.cash[q] = h.cash[q].Sub(feeQuote)
		}
		left := h.held[f.Symbol].Sub(f.Qty).Sub(feeBase)
		if left.IsNegative() {
			h.uncovered[f.Symbol] = h.uncovered[f.Symbol].Sub(left)
			left = decimal.Zero
		}
		h.held[f.Symbol] = left
	}
	for i := range fills {
		f := &fills[i]
		if f.Side == coach.Sell && !o.oversell {
			// Sell a random part of what is held (or switch to a buy when nothing is).
			held := h.held[f.Symbol]
			if held.IsZero() {
				f.Side = coach.Buy
			} else {
				f.Qty = held.Mul(decimal.New(1+rng.Int64N(100), -2)).RoundDown(8)
				if f.FeeAsset == f.Symbol.Base() {
					f.Fee = decimal.NewNullDecimal(f.Qty.Mul(d("0.001")).RoundDown(8))
					f.Qty = f.Qty.Sub(f.Fee.Decimal)
				}
				if f.Qty.IsZero() {
					f.Qty = held
					f.Fee, f.FeeAsset = decimal.NewNullDecimal(decimal.Zero), ""
				}
				if f.FeeAsset == f.Symbol.Quote() {
					f.Fee = decimal.NewNullDecimal(f.Qty.Mul(f.Price).Mul(d("0.001")).Round(8))
				}
			}
		}
		model(f)
	}
	if o.closeAll {
		end := t0.Add(time.Duration(o.timeSlots) * time.Minute)
		for i, sym := range propSymbols {
			if held := h.held[sym]; held.IsPositive() {
				f := coach.Trade{
					ID: fmt.Sprintf("z%d", i), UserID: "u1", Broker: "binance", ExtID: fmt.Sprintf("z%d", i), Symbol: sym,
					Side: coach.Sell, Qty: held, Price: d("123.45"), TS: end,
					Fee: decimal.NewNullDecimal(d("0.5")), FeeAsset: sym.Quote(),
				}
				fills = append(fills, f)
				model(&fills[len(fills)-1])
			}
		}
	}
	h.fills = fills
	return h
}

func cmpStrings(a, b string) int { return strings.Compare(a, b) }

// sumBy adds up field(x) per key(x).
func sumBy[T any, K comparable](xs []T, key func(*T) K, field func(*T) decimal.Decimal) map[K]decimal.Decimal {
	m := map[K]decimal.Decimal{}
	for i := range xs {
		k := key(&xs[i])
		m[k] = m[k].Add(field(&xs[i]))
	}
	return m
}

// equalSums reports every key whose sums differ (a missing key counts as zero).
func equalSums[K comparable](t *testing.T, what string, want, got map[K]decimal.Decimal) {
	t.Helper()
	for k, w := range want {
		if !w.Equal(got[k]) {
			t.Errorf("%s[%v] = %s, want %s", what, k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && !g.IsZero() {
			t.Errorf("%s[%v] = %s, want 0", what, k, g)
		}
	}
}

func quoteOf(s coach.Symbol) string { return s.Quote() }

// allMethods are every cost method.
var allMethods = []ledger.CostMethod{ledger.FIFO, ledger.AverageCost, ledger.LIFO, ledger.HIFO, ledger.SpecificID}

// newLedger returns a ledger of method m for h, converting BNB with propPrices; for SpecificID
// with a random selection of lots for about half of h's sells (randomSelection).
func newLedger(m ledger.CostMethod, h history, seed uint64) *ledger.Ledger {
	l := &ledger.Ledger{Method: m, FeePrices: propPrices}
	if m == ledger.SpecificID {
		l.Selection = randomSelection(rand.New(rand.NewPCG(seed, 99)), h.fills)
	}
	return l
}

// randomSelection picks lots for about half of the sells of fills (in the ledger's order): one
// to three random open lots, a random part of each, never more than the sell takes out. It keeps
// its own model of the open lots (the buy's quantity less a base-asset fee; picks first, then
// FIFO for the rest of a sell), so every pick it makes is one the ledger must accept.
func randomSelection(rng *rand.Rand, fills []coach.Trade) ledger.Selection {
	type openLot struct {
		id  string
		qty decimal.Decimal
	}
	lots := map[coach.Symbol][]*openLot{}
	sel := ledger.Selection{}
	for i := range fills {
		f := &fills[i]
		var baseFee decimal.Decimal
		if f.Fee.Valid && f.FeeAsset == f.Symbol.Base() {
			baseFee = f.Fee.Decimal
		}
		if f.Side == coach.Buy {
			lots[f.Symbol] = append(lots[f.Symbol], &openLot{id: f.ID, qty: f.Qty.Sub(baseFee)})
			continue
		}
		out := f.Qty.Add(baseFee)
		remaining := out
		var open []*openLot
		for _, lt := range lots[f.Symbol] {
			if lt.qty.IsPositive() {
				open = append(open, lt)
			}
		}
		if len(open) > 0 && rng.IntN(2) == 0 {
			var picks []ledger.LotPick
			for range 1 + rng.IntN(3) {
				lt := open[rng.IntN(len(open))]
				q := lt.qty.Mul(decimal.New(1+rng.Int64N(100), -2)).RoundDown(8)
				if q.IsZero() || rng.IntN(4) == 0 {
					q = lt.qty
				}
				q = decimal.Min(q, remaining)
				if !q.IsPositive() {
					break
				}
				picks = append(picks, ledger.LotPick{TradeID: lt.id, Qty: q})
				lt.qty = lt.qty.Sub(q)
				remaining = remaining.Sub(q)
			}
			if len(picks) > 0 {
				sel[f.ID] = picks
			}
		}
		for _, lt := range lots[f.Symbol] {
			q := decimal.Min(lt.qty, remaining)
			lt.qty, remaining = lt.qty.Sub(q), remaining.Sub(q)
		}
	}
	return sel
}

// TestLedgerConservesValue checks, over many random histories and every cost method, that the
// ledger neither creates nor loses quantity or value: no lot is empty or negative, what was
// bought less base-asset fees is what was sold (covered or not) plus what is open, and realized
// P/L + unrealized P/L at any price + what the uncovered sells brought in equals the net cash
// flow plus the market value of what is held.
func TestLedgerConservesValue(t *testing.T) {
	t.Parallel()
	for _, o := range []historyOptions{
		{n: 60, timeSlots: 40},
		{n: 60, timeSlots: 5, oversell: true},
		{n: 40, timeSlots: 20, huge: true, oversell: true},
	} {
		for _, method := range allMethods {
			t.Run(fmt.Sprintf("%s/oversell=%v/huge=%v", method, o.oversell, o.huge), func(t *testing.T) {
				t.Parallel()
				for seed := range uint64(150) {
					rng := rand.New(rand.NewPCG(seed, 7))
					h := randomHistory(rng, o)
					r, err := newLedger(method, h, seed).Apply(h.fills)
					if err != nil {
						t.Fatalf("seed %d: %v", seed, err)
					}
					checkConservation(t, fmt.Sprintf("seed %d", seed), h, r, rng)
					if t.Failed() {
						return
					}
				}
			})
		}
	}
}

func checkConservation(t *testing.T, name string, h history, r *ledger.Result, rng *rand.Rand) {
	t.Helper()
	lotQty := sumBy(r.Lots, func(x *ledger.Lot) coach.Symbol { return x.Symbol }, func(x *ledger.Lot) decimal.Decimal { return x.Qty })
	equalSums(t, name+": held", h.held, lotQty)
	for _, x := range r.Lots {
		if x.Qty.Sign() <= 0 || x.Price.Sign() <= 0 || x.CostBasis.Sign() <= 0 || x.Fees.IsNegative() {
			t.Errorf("%s: open lot %+v out of range", name, x)
		}
		if r.Method != ledger.AverageCost && !x.CostBasis.Equal(x.Qty.Mul(x.Price)) {
			t.Errorf("%s: open lot %+v: CostBasis ≠ Qty×Price", name, x)
		}
	}
	uncQty := sumBy(r.Uncovered, func(x *ledger.Uncovered) coach.Symbol { return x.Symbol }, func(x *ledger.Uncovered) decimal.Decimal { return x.Qty })
	equalSums(t, name+": uncovered", h.uncovered, uncQty)

	// Every known fee is accounted for exactly once: realized, still open, or uncovered.
	fees := sumBy(r.Realized, func(x *ledger.Realized) string { return quoteOf(x.Symbol) }, func(x *ledger.Realized) decimal.Decimal { return x.Fees })
	for k, v := range sumBy(r.Lots, func(x *ledger.Lot) string { return quoteOf(x.Symbol) }, func(x *ledger.Lot) decimal.Decimal { return x.Fees }) {
		fees[k] = fees[k].Add(v)
	}
	for k, v := range sumBy(r.Uncovered, func(x *ledger.Uncovered) string { return quoteOf(x.Symbol) }, func(x *ledger.Uncovered) decimal.Decimal { return x.Fees }) {
		fees[k] = fees[k].Add(v)
	}
	equalSums(t, name+": fees", h.fees, fees)

	for _, x := range r.Realized {
		if !x.Proceeds.Equal(x.Qty.Mul(x.Price)) || !x.PnL.Equal(x.Proceeds.Sub(x.CostBasis).Sub(x.Fees)) {
			t.Errorf("%s: realized %+v: Proceeds ≠ Qty×Price or PnL ≠ Proceeds−CostBasis−Fees", name, x)
		}
		if x.Qty.Sign() <= 0 || x.Fees.IsNegative() || x.CostBasis.Sign() <= 0 || x.HoldingPeriod < 0 {
			t.Errorf("%s: realized %+v out of range", name, x)
		}
	}

	marks := map[coach.Symbol]decimal.Decimal{}
	for _, s := range propSymbols {
		marks[s] = decimal.New(1+rng.Int64N(1_000_000), -3)
	}
	un, err := r.Unrealized(marks)
	if err != nil {
		t.Fatalf("%s: unrealized: %v", name, err)
	}
	lhs := sumBy(r.Realized, func(x *ledger.Realized) string { return quoteOf(x.Symbol) }, func(x *ledger.Realized) decimal.Decimal { return x.PnL })
	for k, v := range sumBy(un, func(x *ledger.Unrealized) string { return quoteOf(x.Symbol) }, func(x *ledger.Unrealized) decimal.Decimal { return x.PnL }) {
		lhs[k] = lhs[k].Add(v)
	}
	for k, v := range sumBy(r.Uncovered, func(x *ledger.Uncovered) string { return quoteOf(x.Symbol) }, func(x *ledger.Uncovered) decimal.Decimal { return x.Proceeds.Sub(x.Fees) }) {
		lhs[k] = lhs[k].Add(v)
	}
	rhs := map[string]decimal.Decimal{}
	for k, v := range h.cash {
		rhs[k] = v
	}
	for s, q := range h.held {
		rhs[s.Quote()] = rhs[s.Quote()].Add(q.Mul(marks[s]))
	}
	equalSums(t, name+": realized+unrealized+uncovered vs cash+value", rhs, lhs)
}

// TestLedgerMethodsAgreeWhenFlat checks that the cost methods differ only in timing: once every
// position is closed, every method's total realized P/L per quote asset is FIFO's to the last
// digit (each lot's entry fee and each pool's cost and fee are allocated in full, the last part
// taking the remainder of the rounding, so no rounding difference survives), and so are the
// uncovered sells.
func TestLedgerMethodsAgreeWhenFlat(t *testing.T) {
	t.Parallel()
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 11))
		h := randomHistory(rng, historyOptions{n: 50, timeSlots: 30, oversell: seed%2 == 0, closeAll: true, huge: seed%5 == 0})
		var fifo *ledger.Result
		for _, m := range allMethods {
			r, err := newLedger(m, h, seed).Apply(h.fills)
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, m, err)
			}
			if len(r.Lots) != 0 {
				t.Fatalf("seed %d %s: %d lots open after closing everything", seed, m, len(r.Lots))
			}
			if m == ledger.FIFO {
				fifo = r
				continue
			}
			pnl := func(x *ledger.Realized) decimal.Decimal { return x.PnL }
			equalSums(t, fmt.Sprintf("seed %d: %s P/L vs FIFO", seed, m),
				sumBy(fifo.Realized, func(x *ledger.Realized) string { return quoteOf(x.Symbol) }, pnl),
				sumBy(r.Realized, func(x *ledger.Realized) string { return quoteOf(x.Symbol) }, pnl))
			if diff := cmp.Diff(fifo.Uncovered, r.Uncovered); diff != "" {
				t.Errorf("seed %d: uncovered differs (-fifo +%s):\n%s", seed, m, diff)
			}
		}
		if t.Failed() {
			return
		}
	}
}

// TestLedgerMethodsDifferInGeneral checks that the methods agree on what does not depend on the
// lots chosen — which sells close how much, at what proceeds — and that each pair of methods
// does differ, over the same random histories, in the P/L of some sell and in the cost left in
// the open lots: no method is secretly another.
func TestLedgerMethodsDifferInGeneral(t *testing.T) {
	t.Parallel()
	type pair struct{ a, b ledger.CostMethod }
	pnlDiffers, openDiffers := map[pair]bool{}, map[pair]bool{}
	for seed := range uint64(100) {
		h := randomHistory(rand.New(rand.NewPCG(seed, 19)), historyOptions{n: 40, timeSlots: 30, oversell: seed%2 == 0})
		results := make([]*ledger.Result, len(allMethods))
		for i, m := range allMethods {
			r, err := newLedger(m, h, seed).Apply(h.fills)
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, m, err)
			}
			results[i] = r
		}
		for i, a := range results {
			for j, b := range results[:i] {
				p := pair{allMethods[j], allMethods[i]}
				if len(a.Realized) != len(b.Realized) {
					t.Fatalf("seed %d: %s closes %d times, %s %d", seed, p.a, len(b.Realized), p.b, len(a.Realized))
				}
				for k := range a.Realized {
					x, y := &b.Realized[k], &a.Realized[k]
					if x.TradeID != y.TradeID || !x.Qty.Equal(y.Qty) || !x.Proceeds.Equal(y.Proceeds) || x.ClosedAt != y.ClosedAt {
						t.Fatalf("seed %d: close %d: %s %+v and %s %+v differ in more than the lots chosen", seed, k, p.a, x, p.b, y)
					}
					pnlDiffers[p] = pnlDiffers[p] || !x.PnL.Equal(y.PnL)
				}
				cost := func(r *ledger.Result) map[coach.Symbol]decimal.Decimal {
					return sumBy(r.Lots, func(x *ledger.Lot) coach.Symbol { return x.Symbol }, func(x *ledger.Lot) decimal.Decimal { return x.CostBasis })
				}
				ca, cb := cost(a), cost(b)
				for s, v := range ca {
					openDiffers[p] = openDiffers[p] || !v.Equal(cb[s])
				}
			}
		}
	}
	for i, a := range allMethods {
		for _, b := range allMethods[:i] {
			if p := (pair{b, a}); !pnlDiffers[p] || !openDiffers[p] {
				t.Errorf("%s and %s: some sell's P/L differs: %v, some open cost differs: %v; want both", b, a, pnlDiffers[p], openDiffers[p])
			}
		}
	}
}

// TestLedgerOrderIndependent checks that shuffling the input, in particular fills with equal
// timestamps, never changes the result.
func TestLedgerOrderIndependent(t *testing.T) {
	t.Parallel()
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 13))
		h := randomHistory(rng, historyOptions{n: 40, timeSlots: 4, oversell: true})
		for _, m := range allMethods {
			l := newLedger(m, h, seed)
			want, err := l.Apply(h.fills)
			if err != nil {
				t.Fatal(err)
			}
			shuffled := slices.Clone(h.fills)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			got, err := l.Apply(shuffled)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("seed %d %s: shuffled input changes the result (-ordered +shuffled):\n%s", seed, m, diff)
			}
		}
	}
}

// FuzzLedgerMethods checks conservation (TestLedgerConservesValue's checks) for every method over
// random histories the fuzzer steers by their seed and shape.
func FuzzLedgerMethods(f *testing.F) {
	f.Add(uint64(1), uint8(30), uint8(10), false, false)
	f.Add(uint64(2), uint8(60), uint8(3), true, false)
	f.Add(uint64(3), uint8(20), uint8(20), true, true)
	f.Fuzz(func(t *testing.T, seed uint64, n, slots uint8, oversell, huge bool) {
		o := historyOptions{n: int(n % 80), timeSlots: 1 + int(slots%40), oversell: oversell, huge: huge}
		h := randomHistory(rand.New(rand.NewPCG(seed, 23)), o)
		for _, m := range allMethods {
			r, err := newLedger(m, h, seed).Apply(h.fills)
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			checkConservation(t, m.String(), h, r, rand.New(rand.NewPCG(seed, 29)))
		}
	})
}
