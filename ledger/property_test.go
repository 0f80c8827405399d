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

// TestLedgerConservesValue checks, over many random histories and both cost methods, that the
// ledger neither creates nor loses value: realized P/L + unrealized P/L at any price + what the
// uncovered sells brought in equals the net cash flow plus the market value of what is held.
func TestLedgerConservesValue(t *testing.T) {
	t.Parallel()
	for _, o := range []historyOptions{
		{n: 60, timeSlots: 40},
		{n: 60, timeSlots: 5, oversell: true},
		{n: 40, timeSlots: 20, huge: true, oversell: true},
	} {
		for _, method := range []ledger.CostMethod{ledger.FIFO, ledger.AverageCost} {
			t.Run(fmt.Sprintf("%s/oversell=%v/huge=%v", method, o.oversell, o.huge), func(t *testing.T) {
				t.Parallel()
				for seed := range uint64(150) {
					rng := rand.New(rand.NewPCG(seed, 7))
					h := randomHistory(rng, o)
					l := ledger.New(method)
					l.FeePrices = propPrices
					r, err := l.Apply(h.fills)
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

// TestLedgerMethodsAgreeWhenFlat checks that FIFO and average cost differ only in timing: once
// every position is closed, total realized P/L is the same to the last digit.
func TestLedgerMethodsAgreeWhenFlat(t *testing.T) {
	t.Parallel()
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 11))
		h := randomHistory(rng, historyOptions{n: 50, timeSlots: 30, oversell: seed%2 == 0, closeAll: true, huge: seed%5 == 0})
		results := map[ledger.CostMethod]*ledger.Result{}
		for _, m := range []ledger.CostMethod{ledger.FIFO, ledger.AverageCost} {
			l := ledger.New(m)
			l.FeePrices = propPrices
			r, err := l.Apply(h.fills)
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, m, err)
			}
			if len(r.Lots) != 0 {
				t.Fatalf("seed %d %s: %d lots open after closing everything", seed, m, len(r.Lots))
			}
			results[m] = r
		}
		fifo, avg := results[ledger.FIFO], results[ledger.AverageCost]
		pnl := func(x *ledger.Realized) decimal.Decimal { return x.PnL }
		equalSums(t, fmt.Sprintf("seed %d: P/L", seed),
			sumBy(fifo.Realized, func(x *ledger.Realized) string { return quoteOf(x.Symbol) }, pnl),
			sumBy(avg.Realized, func(x *ledger.Realized) string { return quoteOf(x.Symbol) }, pnl))
		if diff := cmp.Diff(fifo.Uncovered, avg.Uncovered); diff != "" {
			t.Errorf("seed %d: uncovered differs (-fifo +avg):\n%s", seed, diff)
		}
		if t.Failed() {
			return
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
		for _, m := range []ledger.CostMethod{ledger.FIFO, ledger.AverageCost} {
			l := ledger.New(m)
			l.FeePrices = propPrices
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
