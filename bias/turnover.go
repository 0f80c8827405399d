package bias

import (
	"math"
	"time"
)

// symTurnover is one symbol's part of the current month's turnover.
type symTurnover struct {
	posBegin, priceBegin  float64 // holdings and price at the start of the month
	boughtPrev, boughtCur float64 // quantity bought in the previous and the current month
	soldCur               float64
}

// turnState computes Barber and Odean's (2000) monthly turnover over the months of the trades
// measured, in the account's main quote asset.
type turnState struct {
	quote                  string
	started                bool
	monthStart, monthEnd   int64
	value                  float64 // holdings value at the start of the current month
	unpriced               bool    // a holding had no price at the start of the month
	sum, valueSum          float64
	months, unpricedMonths int
	fees, notional         float64
	feesUnknown            int
}

// advance moves the month forward to the one containing ts, closing the months passed.
func (t *turnState) advance(s *scorer, ts int64, in bool) {
	if !in {
		return
	}
	if !t.started {
		t.started = true
		t.openMonth(s, monthOf(ts, s.m.loc), ts)
	}
	for ts >= t.monthEnd {
		t.closeMonth(s)
		next := time.Unix(0, t.monthEnd).In(s.m.loc)
		t.openMonth(s, next, next.UnixNano())
	}
}

// monthOf returns the start of the month containing ts in loc.
func monthOf(ts int64, loc *time.Location) time.Time {
	y, m, _ := time.Unix(0, ts).In(loc).Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, loc)
}

// openMonth starts the month beginning at start and snapshots the holdings, valued at the close
// of the bar that closed last at or before at: the month's start, or for the first month measured
// its first trade (holdings before the trades measured are known only from then on).
func (t *turnState) openMonth(s *scorer, start time.Time, at int64) {
	t.monthStart = start.UnixNano()
	t.monthEnd = start.AddDate(0, 1, 0).UnixNano()
	t.value, t.unpriced = 0, false
	for i := range s.syms {
		st := &s.syms[i]
		if !st.main {
			continue
		}
		m := &st.turn
		m.boughtPrev, m.boughtCur, m.soldCur = m.boughtCur, 0, 0
		m.posBegin, m.priceBegin = st.held, math.NaN()
		if !(st.held > 0) {
			continue
		}
		if p, ok := s.m.closeBefore(st.sym, at); ok {
			m.priceBegin = p
			t.value += float64(st.held * p)
		} else {
			t.unpriced = true
		}
	}
}

// closeMonth adds the month's turnover, ½(sales + purchases)/value, to the mean. Sales count at
// most the holdings at the start, and purchases of the previous month at most what is still
// held, so a month's turnover never exceeds 1 (Barber and Odean 2000, footnote 8).
func (t *turnState) closeMonth(s *scorer) {
	if t.unpriced {
		t.unpricedMonths++
		return
	}
	if !(t.value > 0) {
		return
	}
	var sales, buys float64
	for i := range s.syms {
		st := &s.syms[i]
		if !st.main || !(st.turn.posBegin > 0) {
			continue
		}
		m := &st.turn
		sales += float64(min(m.soldCur, m.posBegin) * m.priceBegin)
		buys += float64(min(m.boughtPrev, m.posBegin) * m.priceBegin)
	}
	t.sum += 0.5 * (sales + buys) / t.value
	t.valueSum += t.value
	t.months++
}

// buy records a buy being measured.
func (t *turnState) buy(st *symState, f *fill, in bool) {
	if !in || !st.main {
		return
	}
	st.turn.boughtCur += f.qty - f.baseFee
	t.money(f)
}

// sell records a sell of out base units being measured.
func (t *turnState) sell(st *symState, f *fill, out float64, in bool) {
	if !in || !st.main {
		return
	}
	st.turn.soldCur += out
	t.money(f)
}

func (t *turnState) money(f *fill) {
	t.notional += f.notional
	if math.IsNaN(f.feeQuote) {
		t.feesUnknown++
	} else {
		t.fees += f.feeQuote
	}
}

// finish closes the last month and fills the money metrics of Account.Overtrading.
func (t *turnState) finish(s *scorer) {
	if t.started {
		t.closeMonth(s)
	}
	a := &s.res.Account.Overtrading
	a.Quote, a.Months, a.UnpricedMonths = t.quote, t.months, t.unpricedMonths
	a.Notional, a.Fees, a.FeesUnknown = t.notional, t.fees, t.feesUnknown
	a.MonthlyTurnover, a.AnnualTurnover, a.FeeDrag, a.FeeRate = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	a.MeanValue = math.NaN()
	if t.notional > 0 {
		a.FeeRate = t.fees / t.notional
	}
	if t.months == 0 {
		a.Insufficient = "insufficient data: no month began with holdings valued by a candle, so turnover and fee drag are undefined"
		return
	}
	a.MonthlyTurnover = t.sum / float64(t.months)
	a.AnnualTurnover = 12 * a.MonthlyTurnover
	a.MeanValue = t.valueSum / float64(t.months)
	a.FeeDrag = t.fees / a.MeanValue
}
