package sim

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach/rules"
)

var hundred = decimal.New(100, 0)

// followRules blocks the buys that broke a followed rule, then exits the remaining lots at the
// stop loss or take profit.
func (r *run) followRules() error {
	r.res.Data.StopLossPct, r.res.Data.TakeProfitPct = r.sel.stopPct, r.sel.tpPct
	r.res.Data.Rules = []string{}
	for _, p := range r.sel.rules {
		r.res.Data.Rules = append(r.res.Data.Rules, p.ID)
	}
	blocked := 0
	if len(r.sel.rules) > 0 && len(r.fills) > 0 {
		n, err := r.blockBrokenEntries()
		if err != nil {
			return err
		}
		blocked = n
	}
	r.res.Data.Labelled = blocked
	exits := r.sel.stopPct > 0 || r.sel.tpPct > 0
	// Levels are entry × (1 ∓ pct/100), computed exactly in decimal.
	r.sel.stopFactor = one.Sub(decimal.NewFromFloat(r.sel.stopPct).Div(hundred))
	r.sel.tpFactor = one.Add(decimal.NewFromFloat(r.sel.tpPct).Div(hundred))
	if blocked == 0 && !exits {
		return nil
	}
	ms := r.matchLots(nil)
	if exits {
		r.addExits(ms)
	}
	r.removeSoldOutOfRemovedLots(ms)
	return nil
}

// blockBrokenEntries evaluates the followed rules on the actual trades of the window and removes
// every buy that broke one of them as it was made: a verdict Broken, decided at or before the
// fill, of any kind but stopLossPct (whose verdict on a buy is decided later and is what the
// stop exit replays). It returns the number of buys blocked.
func (r *run) blockBrokenEntries() (int, error) {
	trades := r.actualTrades()
	series := make(rules.CandleSeries, len(r.cs.ordered))
	for _, s := range r.cs.ordered {
		series[s.sym] = s.bars
	}
	ev, err := rules.Evaluate(trades, series, r.sel.rules, r.in.Location)
	if err != nil {
		return 0, err
	}
	n := 0
	for k := range r.fills {
		f := &r.fills[k]
		if !f.buy {
			continue
		}
		var broken []string
		for _, v := range ev.Of(f.key) {
			if v.Outcome == rules.Broken && v.Kind != rules.KindStopLossPct && !v.At.After(f.t.TS) {
				broken = append(broken, v.Kind)
			}
		}
		if len(broken) == 0 {
			continue
		}
		n++
		r.plan.remove[k] = true
		r.plan.change(int32(k), Change{
			TradeID: f.key, Symbol: f.t.Symbol, Change: ChangeBlocked, Qty: f.t.Qty,
			Detail: fmt.Sprintf("buy of %s %s at %s blocked: it broke %s", f.t.Qty, r.syms[f.sym].base, f.t.Price, strings.Join(broken, ", ")),
		})
	}
	return n, nil
}

// addExits gives every lot the plan keeps a stop loss and a take profit, as far as the scenario
// sets them: from the first candle that opens at or after the buy, the first candle whose low
// reaches the stop or whose high reaches the take profit, while some of the lot is still held
// (up to the candle that closes by the sell that sold the last of it, or the window end), sells
// what is left of the lot at the close of that candle. Sells that sold the lot after it are
// reduced by what they took from it. See the package doc for the fill price.
func (r *run) addExits(ms []lotMatch) {
	start, idx := byBuy(ms, len(r.fills))
	for k := range r.fills {
		f := &r.fills[k]
		s := r.serie[f.sym]
		if !f.buy || r.plan.remove[k] || s == nil {
			continue
		}
		mine := idx[start[k]:start[k+1]]
		// The lot is watched until the sell that took the last of it, or the window end.
		end := r.to
		taken := decimal.Decimal{}
		for _, i := range mine {
			taken = taken.Add(ms[i].qty)
		}
		if len(mine) > 0 && taken.Cmp(f.out) >= 0 {
			end = r.fills[ms[mine[len(mine)-1]].sell].ts
		}
		x, ok := r.crossing(f, s, end)
		if !ok {
			continue
		}
		// Sells before the exit keep what they took; later ones give it back to the exit.
		left := f.out
		var rateOf *fill
		for _, i := range mine {
			m := &ms[i]
			sell := &r.fills[m.sell]
			if sell.ts < x.at {
				left = left.Sub(m.qty)
				continue
			}
			if rateOf == nil {
				rateOf = sell
			}
			r.plan.reduce[m.sell] = r.plan.reduce[m.sell].Add(m.qty)
		}
		if rateOf == nil {
			rateOf = f
		}
		at := time.Unix(0, x.at).UTC()
		r.addSell(f, rateOf, at, left, x.price, "~exit")
		r.plan.change(int32(k), Change{
			TradeID: f.key, Symbol: f.t.Symbol, Change: ChangeExitAdded, Qty: left, At: at, Price: x.price,
			Detail: x.detail,
		})
	}
}

// crossing is where a lot's stop loss or take profit fills.
type crossing struct {
	at     int64 // the close of the candle, Unix nanoseconds
	price  decimal.Decimal
	detail string
}

// crossing finds the first candle of s that opens at or after buy f and closes at or before end
// whose low reaches the stop or whose high reaches the take profit. The fill price is the level,
// or the candle's open when it opened beyond the level (a gap); when a candle reaches both, the
// stop fills first unless the candle opened at or above the take profit. Slippage applies.
func (r *run) crossing(f *fill, s *series, end int64) (crossing, bool) {
	lo := s.firstOpenAtOrAfter(f.ts)
	hi := s.lastClosed(end) + 1
	if lo >= hi {
		return crossing{}, false
	}
	var stop, tp decimal.Decimal
	stopF, tpF := math.Inf(-1), math.Inf(1)
	if r.sel.stopPct > 0 {
		stop = f.t.Price.Mul(r.sel.stopFactor).Round(pricePlaces)
		stopF = stop.InexactFloat64()
	}
	if r.sel.tpPct > 0 {
		tp = f.t.Price.Mul(r.sel.tpFactor).Round(pricePlaces)
		tpF = tp.InexactFloat64()
	}
	j := s.extremes().first(lo, hi, stopF, tpF)
	if j >= hi {
		return crossing{}, false
	}
	b := &s.bars[j]
	closeAt := time.Unix(0, s.closeTime(j)).UTC().Format(time.RFC3339)
	stopHit, tpHit := b.Low <= stopF, b.High >= tpF
	takeProfit := !stopHit || tpHit && b.Open >= tpF
	var level decimal.Decimal
	var what string
	gap := false
	if takeProfit {
		level, what = tp, fmt.Sprintf("take profit at %s (%g%% above the entry at %s)", tp, r.sel.tpPct, f.t.Price)
		gap = b.Open > tpF
	} else {
		level, what = stop, fmt.Sprintf("stop loss at %s (%g%% below the entry at %s)", stop, r.sel.stopPct, f.t.Price)
		gap = b.Open < stopF
	}
	x := crossing{at: s.closeTime(j)}
	if gap {
		x.price = r.candlePrice(b.Open, true)
		x.detail = fmt.Sprintf("%s: the candle closing %s opened past it, sold at the open", what, closeAt)
	} else {
		x.price = r.slip(level, true)
		x.detail = fmt.Sprintf("%s reached in the candle closing %s", what, closeAt)
	}
	if stopHit && tpHit && !takeProfit {
		x.detail += "; the take profit was reached in the same candle (stop first)"
	}
	return x, true
}
