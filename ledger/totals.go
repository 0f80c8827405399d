package ledger

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// Total sums realized P/L over a group of Realized entries. Its money figures are in Quote.
type Total struct {
	// Period is the period key (ByPeriod); "" from BySymbol and ByQuote.
	Period string
	// Symbol is the symbol (BySymbol); "" from ByPeriod and ByQuote, whose totals span every
	// symbol quoted in Quote.
	Symbol coach.Symbol
	// Quote is the asset the figures are in.
	Quote string
	// Closes is the number of Realized entries summed.
	Closes    int
	Proceeds  decimal.Decimal
	CostBasis decimal.Decimal
	Fees      decimal.Decimal
	PnL       decimal.Decimal
	// FeesUnknown is true when any entry summed says FeesUnknown.
	FeesUnknown bool
}

// totalSum accumulates a Total without allocating.
type totalSum struct {
	key                       Total
	proceeds, cost, fees, pnl amount
	closes                    int
	feesUnknown               bool
}

func (s *totalSum) add(r *Realized) {
	s.closes++
	s.proceeds = s.proceeds.add(amountOf(r.Proceeds))
	s.cost = s.cost.add(amountOf(r.CostBasis))
	s.fees = s.fees.add(amountOf(r.Fees))
	s.pnl = s.pnl.add(amountOf(r.PnL))
	s.feesUnknown = s.feesUnknown || r.FeesUnknown
}

func (s *totalSum) total() Total {
	t := s.key
	t.Closes = s.closes
	t.Proceeds, t.CostBasis, t.Fees, t.PnL = s.proceeds.dec(), s.cost.dec(), s.fees.dec(), s.pnl.dec()
	t.FeesUnknown = s.feesUnknown
	return t
}

// BySymbol returns the realized totals of each symbol that has a Realized entry, by symbol.
func (r *Result) BySymbol() []Total {
	return r.sum(func(x *Realized) Total { return Total{Symbol: x.Symbol, Quote: x.Symbol.Quote()} })
}

// ByQuote returns the realized totals of each quote asset that has a Realized entry, by quote
// asset: everything the result realized, without adding figures of different assets.
func (r *Result) ByQuote() []Total {
	return r.sum(func(x *Realized) Total { return Total{Quote: x.Symbol.Quote()} })
}

// ByPeriod returns the realized totals of each period and quote asset, ordered by period, then
// quote asset. period names the period of a closing fill's TS (see DayPeriod, WeekPeriod,
// MonthPeriod); a realized P/L belongs to the period in which its position was closed.
func (r *Result) ByPeriod(period func(time.Time) string) []Total {
	return r.sum(func(x *Realized) Total { return Total{Period: period(x.ClosedAt), Quote: x.Symbol.Quote()} })
}

func (r *Result) sum(key func(*Realized) Total) []Total {
	index := make(map[Total]int)
	var sums []totalSum
	for i := range r.Realized {
		k := key(&r.Realized[i])
		j, ok := index[k]
		if !ok {
			j = len(sums)
			index[k] = j
			sums = append(sums, totalSum{key: k})
		}
		sums[j].add(&r.Realized[i])
	}
	out := make([]Total, len(sums))
	for i := range sums {
		out[i] = sums[i].total()
	}
	slices.SortFunc(out, func(a, b Total) int {
		return cmp.Or(strings.Compare(a.Period, b.Period), strings.Compare(string(a.Symbol), string(b.Symbol)), strings.Compare(a.Quote, b.Quote))
	})
	return out
}

// DayPeriod names the calendar day of a time in loc ("2026-03-02"); nil loc is UTC.
func DayPeriod(loc *time.Location) func(time.Time) string {
	loc = orUTC(loc)
	return func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }
}

// WeekPeriod names the ISO 8601 week of a time in loc ("2026-W10", weeks start on Monday); nil
// loc is UTC.
func WeekPeriod(loc *time.Location) func(time.Time) string {
	loc = orUTC(loc)
	return func(t time.Time) string {
		y, w := t.In(loc).ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	}
}

// MonthPeriod names the calendar month of a time in loc ("2026-03"); nil loc is UTC.
func MonthPeriod(loc *time.Location) func(time.Time) string {
	loc = orUTC(loc)
	return func(t time.Time) string { return t.In(loc).Format("2006-01") }
}

// YearPeriod names the calendar year of a time in loc ("2026"), the period of a tax year that
// follows the calendar; nil loc is UTC.
func YearPeriod(loc *time.Location) func(time.Time) string {
	loc = orUTC(loc)
	return func(t time.Time) string { return t.In(loc).Format("2006") }
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
