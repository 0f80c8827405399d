package sim

import (
	"fmt"
	"time"
)

// holdLabelled replaces each labelled sell by holding its quantity until the scenario's Until:
// the quantity the sell moved out of the position (its Qty, plus a fee charged in the base asset)
// stays held and is sold by an added fill, or is marked to market at the window end.
func (r *run) holdLabelled() {
	var nextSell []int32
	if r.sc.Until == UntilNextSell {
		nextSell = r.nextUnlabelledSells()
	}
	n := 0
	for k, on := range r.sel.labelled {
		if !on {
			continue
		}
		n++
		f := &r.fills[k]
		r.plan.remove[k] = true
		c := Change{TradeID: f.key, Symbol: f.t.Symbol, Change: ChangeHeld, Qty: f.out}
		switch r.sc.Until {
		case UntilNCandles:
			r.holdCandles(f, &c)
		case UntilNextSell:
			if j := nextSell[k]; j >= 0 {
				g := &r.fills[j]
				c.At, c.Price = g.t.TS, g.t.Price
				c.Detail = fmt.Sprintf("%s sell held and sold with the next sell of %s, at %s", r.sc.Label, g.t.Symbol, g.t.Price)
				r.addSell(f, g, g.t.TS, f.out, g.t.Price, "~held")
			} else {
				c.Detail = fmt.Sprintf("%s sell held to the window end: no later sell of %s in the window", r.sc.Label, f.t.Symbol)
			}
		default:
			c.Detail = fmt.Sprintf("%s sell held to the window end", r.sc.Label)
		}
		r.plan.change(int32(k), c)
	}
	r.res.Data.Labelled = n
}

// holdCandles sells the quantity of labelled sell f at the close of the Nth candle after the one
// that contains the fill. When that candle is missing (a gap) it sells at the close of the last
// candle before it that closed after the fill; when that is past the window end or no candle
// closed after the fill, the quantity is held to the window end.
func (r *run) holdCandles(f *fill, c *Change) {
	s := r.serie[f.sym]
	if s == nil {
		c.Detail = fmt.Sprintf("%s sell held to the window end: no candles of %s", r.sc.Label, f.t.Symbol)
		return
	}
	target := floorDiv(f.ts, s.step)*s.step + int64(r.sc.N+1)*s.step
	if target > r.to {
		c.Detail = fmt.Sprintf("%s sell held to the window end: %d candles later is past it", r.sc.Label, r.sc.N)
		return
	}
	i := s.lastClosed(target)
	if i < 0 || s.closeTime(i) <= f.ts {
		c.Detail = fmt.Sprintf("%s sell held to the window end: no candle of %s closed after it", r.sc.Label, f.t.Symbol)
		return
	}
	at := time.Unix(0, s.closeTime(i)).UTC()
	price := r.candlePrice(s.bars[i].Close, true)
	c.At, c.Price = at, price
	c.Detail = fmt.Sprintf("%s sell held %d candles and sold at the close of %s", r.sc.Label, r.sc.N, at.Format(time.RFC3339))
	if s.closeTime(i) != target {
		c.Detail += " (the candle due was missing)"
	}
	r.addSell(f, f, at, f.out, price, "~held")
}

// nextUnlabelledSells returns, for each fill, the index of the next sell of its symbol that is
// not labelled, or -1.
func (r *run) nextUnlabelledSells() []int32 {
	next := make([]int32, len(r.fills))
	last := make([]int32, len(r.syms))
	for i := range last {
		last[i] = -1
	}
	for k := len(r.fills) - 1; k >= 0; k-- {
		f := &r.fills[k]
		next[k] = last[f.sym]
		if !f.buy && !r.sel.labelled[k] {
			last[f.sym] = int32(k)
		}
	}
	return next
}

// floorDiv divides rounding toward minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}
