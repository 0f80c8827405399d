package rules

import (
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// avoidSpike judges a buy against avoidSpikeOverPct.
func (e *evaluator) avoidSpike(k int32, r *compiled, t *coach.Trade, key string) {
	f := e.frame(t.Symbol)
	ts := t.TS.UnixNano()
	i1, why := f.lastClosed(ts)
	if i1 < 0 {
		e.undecidedBar(k, r, t, key, why, f, ts)
		return
	}
	bars := ceilDiv(r.lookback, f.step)
	open0 := f.open[i1] - bars*f.step
	i0 := -1
	if j := i1 - int(bars); j >= 0 && f.open[j] == open0 {
		i0 = j // no gap in between: the usual case
	} else if j, found := searchOpen(f, open0); found {
		i0 = j
	}
	if i0 < 0 {
		why := ReasonMissingCandle
		if open0 < f.open[0] {
			why = ReasonNoCandles
		}
		e.ev.begin()
		e.ev.time("missing", time.Unix(0, open0+f.step))
		e.add(k, r, key, t.TS, Undecided, why, e.ev.end())
		return
	}
	c0, c1 := f.close[i0], f.close[i1]
	change := round6(float64(float64(c1/c0-1) * 100))
	o := Followed
	if change > r.pct {
		o = Broken
	}
	e.ev.begin()
	e.ev.num("changePct", change)
	e.ev.num("pct", r.pct)
	e.ev.time("from", time.Unix(0, f.open[i0]+f.step))
	e.ev.time("to", time.Unix(0, f.open[i1]+f.step))
	e.ev.num("fromClose", c0)
	e.ev.num("toClose", c1)
	e.add(k, r, key, t.TS, o, "", e.ev.end())
}

// searchOpen finds the bar opening at open without moving f's hint.
func searchOpen(f *frame, open int64) (int, bool) {
	h := f.hint
	i := f.find(open)
	f.hint = h
	return i, i >= 0
}

// undecidedBar records that the bar closing at or before ts is missing from f.
func (e *evaluator) undecidedBar(k int32, r *compiled, t *coach.Trade, key, why string, f *frame, ts int64) {
	e.ev.begin()
	if f != nil {
		e.ev.time("missing", time.Unix(0, floorDiv(ts, f.step)*f.step))
	}
	e.add(k, r, key, t.TS, Undecided, why, e.ev.end())
}

// maxTradesPerDay judges any fill against maxTradesPerDay.
func (e *evaluator) maxTradesPerDay(k int32, r *compiled, t *coach.Trade, key string, lt *local) {
	o := Followed
	if e.dayCount > r.n {
		o = Broken
	}
	e.ev.begin()
	e.ev.key("day")
	e.ev.buf = appendDate(e.ev.buf, lt.date)
	e.ev.int("tradeOfDay", e.dayCount)
	e.ev.int("n", r.n)
	e.add(k, r, key, t.TS, o, "", e.ev.end())
}

// cooldown judges a buy against cooldownAfterLoss.
func (e *evaluator) cooldown(k int32, r *compiled, t *coach.Trade, key string) {
	e.ev.begin()
	e.ev.int("minutes", r.minutes)
	o := Followed
	if l := e.loss; l == nil {
		e.ev.null("lossTradeId")
		e.ev.null("lossAt")
		e.ev.null("pnl")
		e.ev.null("minutesSince")
	} else {
		since := t.TS.Sub(l.ClosedAt)
		if int64(since) < r.cooldown {
			o = Broken
		}
		e.ev.raw(e.lossFrag)
		e.ev.num("minutesSince", round6(since.Minutes()))
	}
	e.add(k, r, key, t.TS, o, "", e.ev.end())
}

// maxNotional judges a buy quoted in the rule's quote asset against maxNotionalPerTrade.
func (e *evaluator) maxNotional(k int32, r *compiled, t *coach.Trade, key string) {
	sane := saneDecimal(t.Qty) && saneDecimal(t.Price) // as every stored trade is
	above, ok := clearlyAbove(float64(t.Qty.InexactFloat64()*t.Price.InexactFloat64()), r.amountF)
	if !ok && sane {
		above = t.Notional().Cmp(r.amount) > 0
	}
	o := Followed
	if above {
		o = Broken
	}
	e.ev.begin()
	e.ev.key("notional")
	if sane {
		e.ev.buf = append(e.ev.buf, '"')
		e.ev.buf = appendProduct(e.ev.buf, t.Qty, t.Price)
		e.ev.buf = append(e.ev.buf, '"')
	} else {
		e.ev.buf = append(e.ev.buf, "null"...)
	}
	e.ev.dec("amount", r.amount)
	e.ev.str("quote", r.quote)
	e.add(k, r, key, t.TS, o, "", e.ev.end())
}

// window judges any fill against noTradingWindow, in the user's wall-clock time.
func (e *evaluator) window(k int32, r *compiled, t *coach.Trade, key string, lt *local) {
	m, wd := lt.minute, lt.weekday
	inside := false
	switch {
	case r.from < r.to:
		inside = m >= r.from && m < r.to && r.mask&(1<<wd) != 0
	case m >= r.from:
		inside = r.mask&(1<<wd) != 0
	case m < r.to: // the part after midnight of a window that started the day before
		inside = r.mask&(1<<((wd+6)%7)) != 0
	}
	o := Followed
	if inside {
		o = Broken
	}
	e.ev.begin()
	e.ev.key("local")
	e.ev.buf = append(e.ev.buf, '"')
	e.ev.buf = lt.t.AppendFormat(e.ev.buf, time.RFC3339)
	e.ev.buf = append(e.ev.buf, '"')
	e.ev.str("weekday", weekdayNames[(wd+6)%7])
	e.ev.str("from", r.fromS)
	e.ev.str("to", r.toS)
	e.add(k, r, key, t.TS, o, "", e.ev.end())
}

// stopLossSell judges a sell against stopLossPct by the loss it realized.
func (e *evaluator) stopLossSell(k int32, r *compiled, t *coach.Trade, key string, rz *ledger.Realized) {
	if rz == nil || rz.CostBasis.Sign() <= 0 {
		e.add(k, r, key, t.TS, Undecided, ReasonNoEntry, nil)
		return
	}
	// The loss is the price's fall, (cost − proceeds) / cost, fees left out. Floats decide
	// unless the loss is within a hair of the stop; then the exact decimals do.
	cost := rz.CostBasis.InexactFloat64()
	lossPct := float64(float64(cost-rz.Proceeds.InexactFloat64()) / cost * 100)
	broken, ok := clearlyAbove(lossPct, r.pct)
	if !ok {
		broken = rz.CostBasis.Sub(rz.Proceeds).Shift(2).Cmp(rz.CostBasis.Mul(r.pctDec)) > 0
	}
	lossPct = round6(lossPct)
	o := Followed
	if broken {
		o = Broken
	}
	e.ev.begin()
	e.ev.num("lossPct", lossPct)
	e.ev.num("pct", r.pct)
	e.ev.dec("qty", rz.Qty)
	e.ev.dec("costBasis", rz.CostBasis)
	e.ev.dec("proceeds", rz.Proceeds)
	e.add(k, r, key, t.TS, o, "", e.ev.end())
}

// appendDate appends d as a JSON string "2006-01-02" (years 0–9999, as coach.Date writes them).
func appendDate(b []byte, d coach.Date) []byte {
	if d.Year < 0 || d.Year > 9999 {
		return append(append(append(b, '"'), d.String()...), '"')
	}
	b = append(b, '"', byte('0'+d.Year/1000), byte('0'+d.Year/100%10), byte('0'+d.Year/10%10), byte('0'+d.Year%10), '-')
	b = append(b, byte('0'+int(d.Month)/10), byte('0'+int(d.Month)%10), '-')
	return append(b, byte('0'+d.Day/10), byte('0'+d.Day%10), '"')
}
