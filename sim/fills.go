package sim

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// fill is one actual trade of the window, converted once.
type fill struct {
	t   *coach.Trade
	key string // the trade's ID, or its ExtID when it has none (what tags and Changes name)
	sym int32  // index into run.syms
	buy bool
	ts  int64 // Unix nanoseconds
	// out is the base quantity the fill moves into (buy) or out of (sell) the position, as the
	// ledger counts it: a fee charged in the base asset makes a buy hold less and a sell take
	// more.
	out decimal.Decimal
	// float view, for equity curves: the quantity moved, the price, the fee valued in the quote
	// asset (0 when unknown).
	outF, priceF, feeF float64
}

// symbol is a symbol traded in the window.
type symbol struct {
	sym         coach.Symbol
	base, quote string
	quote32     int32 // index into run.quotes
}

// amountOK bounds an amount as coach.Trade.Validate does.
func amountOK(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -30 && e <= 30 && d.NumDigits()+int(max(e, 0)) <= 38
}

// checkTrade reports the first field of t the simulation cannot use, as the ledger would.
func checkTrade(t *coach.Trade, base string) error {
	ref := clip(t.Ref(), 64)
	switch {
	case t.Side != coach.Buy && t.Side != coach.Sell:
		return coach.Errorf(coach.EINVALID, "trade %s: side: want BUY or SELL", ref)
	case !amountOK(t.Qty) || t.Qty.Sign() <= 0:
		return coach.Errorf(coach.EINVALID, "trade %s: qty: must be a positive amount", ref)
	case !amountOK(t.Price) || t.Price.Sign() <= 0:
		return coach.Errorf(coach.EINVALID, "trade %s: price: must be a positive amount", ref)
	case t.Fee.Valid && (!amountOK(t.Fee.Decimal) || t.Fee.Decimal.Sign() < 0):
		return coach.Errorf(coach.EINVALID, "trade %s: fee: must be zero or a positive amount", ref)
	case t.Fee.Valid && !t.Fee.Decimal.IsZero() && t.FeeAsset == "":
		return coach.Errorf(coach.EINVALID, "trade %s: feeAsset: required with a non-zero fee", ref)
	case t.Fee.Valid && t.FeeAsset == base && t.Side == coach.Buy && t.Fee.Decimal.Cmp(t.Qty) >= 0:
		return coach.Errorf(coach.EINVALID, "trade %s: fee: takes all of the bought quantity", ref)
	}
	return nil
}

// loadFills selects the trades with TS in [from, to), checks them, orders them as the ledger
// does and converts them. Trades must be one user's with distinct keys.
func (r *run) loadFills(trades []coach.Trade, from, to time.Time) error {
	idx := make([]int32, 0, len(trades))
	for i := range trades {
		t := &trades[i]
		if t.UserID != trades[0].UserID {
			return coach.Errorf(coach.EINVALID, "trades: of more than one user")
		}
		if !t.TS.Before(from) && t.TS.Before(to) {
			idx = append(idx, int32(i))
		}
	}
	sorted := true
	for k := 1; k < len(idx); k++ {
		if coach.CompareTrades(&trades[idx[k-1]], &trades[idx[k]]) > 0 {
			sorted = false
			break
		}
	}
	if !sorted {
		slices.SortStableFunc(idx, func(a, b int32) int { return coach.CompareTrades(&trades[a], &trades[b]) })
	}
	r.fills = make([]fill, len(idx))
	r.byKey = make(map[string]int32, len(idx))
	symIdx := make(map[coach.Symbol]int32)
	quoteIdx := make(map[string]int32)
	lastSym, lastIdx := coach.Symbol(""), int32(-1)
	for k, i := range idx {
		t := &trades[i]
		f := &r.fills[k]
		f.t, f.key, f.ts, f.buy = t, t.Ref(), t.TS.UnixNano(), t.Side == coach.Buy
		if _, dup := r.byKey[f.key]; dup {
			return coach.Errorf(coach.EINVALID, "trade %s: two trades with this id", clip(f.key, 64))
		}
		r.byKey[f.key] = int32(k)
		if t.Symbol != lastSym || lastIdx < 0 {
			j, ok := symIdx[t.Symbol]
			if !ok {
				if !t.Symbol.Valid() {
					return coach.Errorf(coach.EINVALID, "trade %s: symbol: %q is not BASE-QUOTE", clip(f.key, 64), clip(string(t.Symbol), 40))
				}
				j = int32(len(r.syms))
				symIdx[t.Symbol] = j
				s := symbol{sym: t.Symbol, base: t.Symbol.Base(), quote: t.Symbol.Quote()}
				q, ok := quoteIdx[s.quote]
				if !ok {
					q = int32(len(r.quotes))
					quoteIdx[s.quote] = q
					r.quotes = append(r.quotes, s.quote)
				}
				s.quote32 = q
				r.syms = append(r.syms, s)
			}
			lastSym, lastIdx = t.Symbol, j
		}
		f.sym = lastIdx
		s := &r.syms[f.sym]
		if err := checkTrade(t, s.base); err != nil {
			return err
		}
		f.out = t.Qty
		if t.Fee.Valid && t.FeeAsset == s.base && !t.Fee.Decimal.IsZero() {
			if f.buy {
				f.out = t.Qty.Sub(t.Fee.Decimal)
			} else {
				f.out = t.Qty.Add(t.Fee.Decimal)
			}
		}
		f.outF, f.priceF = f.out.InexactFloat64(), t.Price.InexactFloat64()
		if q, ok := r.feeQuote(t, s); ok {
			f.feeF = q.InexactFloat64()
		}
	}
	return nil
}

// feeQuote returns t's fee valued in the quote asset of s, and false when it is unknown (null,
// or charged in a third asset with no price to convert it).
func (r *run) feeQuote(t *coach.Trade, s *symbol) (decimal.Decimal, bool) {
	switch {
	case !t.Fee.Valid:
		return decimal.Decimal{}, false
	case t.Fee.Decimal.IsZero() || t.FeeAsset == s.quote:
		return t.Fee.Decimal, true
	case t.FeeAsset == s.base:
		return t.Fee.Decimal.Mul(t.Price), true
	}
	if r.feePrices == nil {
		return decimal.Decimal{}, false
	}
	p, ok := r.feePrices(t.FeeAsset, s.quote, t.TS)
	if !ok || !amountOK(p) || p.Sign() <= 0 {
		return decimal.Decimal{}, false
	}
	return t.Fee.Decimal.Mul(p), true
}

// feeRate returns the fee rate of fill f (its fee valued in the quote asset ÷ its notional), and
// false when the fee is unknown.
func (r *run) feeRate(f *fill) (decimal.Decimal, bool) {
	q, ok := r.feeQuote(f.t, &r.syms[f.sym])
	if !ok {
		return decimal.Decimal{}, false
	}
	if q.IsZero() {
		return decimal.Decimal{}, true
	}
	return q.DivRound(f.t.Notional(), 18), true
}
