package sim

import (
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// leg is a fill as an equity curve reads it.
type leg struct {
	ts         int64
	sym        int32
	buy        bool
	out, price float64 // base quantity moved, price
	fee        float64 // fee valued in the quote asset, 0 when unknown
}

// actualTrades returns the trades of the window: the input's own slice when every trade is in
// the window (the ledger and the rules order trades themselves), a copy otherwise.
func (r *run) actualTrades() []coach.Trade {
	if len(r.fills) == len(r.in.Trades) {
		return r.in.Trades
	}
	out := make([]coach.Trade, len(r.fills))
	for k := range r.fills {
		out[k] = *r.fills[k].t
	}
	return out
}

// actualLegs returns the legs of the actual fills, in trade order.
func (r *run) actualLegs() []leg {
	out := make([]leg, len(r.fills))
	for k := range r.fills {
		f := &r.fills[k]
		out[k] = leg{ts: f.ts, sym: f.sym, buy: f.buy, out: f.outF, price: f.priceF, fee: f.feeF}
	}
	return out
}

// counterfactual applies the plan: it returns the counterfactual fills (the actual ones the plan
// keeps, those it reduces made smaller, and the fills it adds) and their legs in time order, and
// records a change for every sell it reduces.
func (r *run) counterfactual() ([]coach.Trade, []leg) {
	cf := make([]coach.Trade, 0, len(r.fills)+len(r.plan.added))
	legs := make([]leg, 0, len(r.fills)+len(r.plan.added))
	for k := range r.fills {
		f := &r.fills[k]
		if r.plan.remove[k] {
			continue
		}
		red := r.plan.reduce[k]
		if red.Sign() == 0 {
			cf = append(cf, *f.t)
			legs = append(legs, leg{ts: f.ts, sym: f.sym, buy: f.buy, out: f.outF, price: f.priceF, fee: f.feeF})
			continue
		}
		t, left, ok := r.reduced(f, red)
		if !ok {
			r.plan.remove[k] = true
			r.plan.change(int32(k), Change{
				TradeID: f.key, Symbol: f.t.Symbol, Change: ChangeSkipped, Qty: f.t.Qty,
				Detail: fmt.Sprintf("sell of %s left out: all of it came from lots the scenario left out or had already sold", f.t.Qty),
			})
			continue
		}
		cf = append(cf, t)
		lf := left.InexactFloat64()
		legs = append(legs, leg{ts: f.ts, sym: f.sym, out: lf, price: f.priceF, fee: f.feeF * lf / f.outF})
		r.plan.change(int32(k), Change{
			TradeID: f.key, Symbol: f.t.Symbol, Change: ChangeReduced, Qty: red,
			Detail: fmt.Sprintf("sells %s less (%s of %s left): that part came from lots the scenario left out or had already sold", red, left, f.out),
		})
	}
	if len(r.plan.added) > 0 {
		cf, legs = r.mergeAdded(cf, legs)
	}
	return cf, legs
}

// mergeAdded merges the added fills into cf and legs, which are in trade order, keeping that
// order (the ledger's: TS, Broker, ExtID, ID), so that the equity curve replays the fills in the
// order the ledger matches them.
func (r *run) mergeAdded(cf []coach.Trade, legs []leg) ([]coach.Trade, []leg) {
	added := make([]int, len(r.plan.added))
	for i := range added {
		added[i] = i
	}
	slices.SortStableFunc(added, func(a, b int) int { return coach.CompareTrades(&r.plan.added[a], &r.plan.added[b]) })
	outT := make([]coach.Trade, 0, len(cf)+len(added))
	outL := make([]leg, 0, len(cf)+len(added))
	i := 0
	for _, a := range added {
		t := &r.plan.added[a]
		for i < len(cf) && coach.CompareTrades(&cf[i], t) <= 0 {
			outT, outL = append(outT, cf[i]), append(outL, legs[i])
			i++
		}
		fee := 0.0
		if t.Fee.Valid {
			fee = t.Fee.Decimal.InexactFloat64()
		}
		outT = append(outT, *t)
		outL = append(outL, leg{ts: t.TS.UnixNano(), sym: r.plan.addedSym[a], out: t.Qty.InexactFloat64(), price: t.Price.InexactFloat64(), fee: fee})
	}
	outT, outL = append(outT, cf[i:]...), append(outL, legs[i:]...)
	return outT, outL
}

// reduced returns sell f with out quantity red taken out of it, and the quantity it still moves
// out of the position; false when nothing is left. The fee shrinks in proportion; a fee charged
// in the base asset is restated in the quote asset (the same value), so that the quantity left
// is exact.
func (r *run) reduced(f *fill, red decimal.Decimal) (coach.Trade, decimal.Decimal, bool) {
	t := *f.t
	left := f.out.Sub(red)
	if left.Sign() <= 0 {
		return t, left, false
	}
	s := &r.syms[f.sym]
	switch {
	case t.Fee.Valid && t.FeeAsset == s.base && !t.Fee.Decimal.IsZero():
		t.Fee = decimal.NewNullDecimal(t.Fee.Decimal.Mul(t.Price).Mul(left).DivRound(f.out, pricePlaces))
		t.FeeAsset = s.quote
	case t.Fee.Valid && !t.Fee.Decimal.IsZero():
		t.Fee = decimal.NewNullDecimal(t.Fee.Decimal.Mul(left).DivRound(f.out, pricePlaces))
	}
	t.Qty = left
	return t, left, true
}
