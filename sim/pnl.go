package sim

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// pnl takes the ledger of the actual fills, runs it over the counterfactual ones, and fills in Result.PnL and
// Data.Marks.
func (r *run) pnl(actual *ledger.Result, cf []coach.Trade) error {
	counter, err := r.ledger().Apply(cf)
	if counter == nil {
		return err
	}
	r.res.Data.Uncovered = len(actual.Uncovered)
	open := make(map[coach.Symbol]bool)
	for _, lt := range actual.Lots {
		open[lt.Symbol] = true
	}
	for _, lt := range counter.Lots {
		open[lt.Symbol] = true
	}
	prices := make(map[coach.Symbol]decimal.Decimal, len(open))
	r.res.Data.Marks = []Mark{}
	for i := range r.syms {
		if !open[r.syms[i].sym] {
			continue
		}
		m := r.markAt(int32(i), r.to)
		prices[m.Symbol] = m.Price
		r.res.Data.Marks = append(r.res.Data.Marks, m)
	}
	slices.SortFunc(r.res.Data.Marks, func(a, b Mark) int { return strings.Compare(string(a.Symbol), string(b.Symbol)) })
	a, err := r.figures(actual, prices)
	if err != nil {
		return err
	}
	c, err := r.figures(counter, prices)
	if err != nil {
		return err
	}
	order := r.quoteOrder()
	r.res.PnL = make([]PnL, len(order))
	for i, q := range order {
		p := PnL{Quote: r.quotes[q], Actual: a[q], Counterfactual: c[q]}
		p.Delta = Figures{
			Realized:    p.Counterfactual.Realized.Sub(p.Actual.Realized),
			Unrealized:  p.Counterfactual.Unrealized.Sub(p.Actual.Unrealized),
			Total:       p.Counterfactual.Total.Sub(p.Actual.Total),
			FeesUnknown: p.Actual.FeesUnknown || p.Counterfactual.FeesUnknown,
		}
		r.res.PnL[i] = p
	}
	if r.in.Converter != nil {
		r.res.InCurrency = r.inCurrency(r.in.Converter, actual, counter, prices)
	}
	return nil
}

// quoteOrder returns the indexes of r.quotes in the order of the quote assets' names.
func (r *run) quoteOrder() []int {
	order := make([]int, len(r.quotes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(r.quotes[a], r.quotes[b]) })
	return order
}

// figures sums a ledger result by quote asset (indexes of r.quotes).
func (r *run) figures(res *ledger.Result, prices map[coach.Symbol]decimal.Decimal) ([]Figures, error) {
	quoteOf := make(map[string]int, len(r.quotes))
	for i, q := range r.quotes {
		quoteOf[q] = i
	}
	out := make([]Figures, len(r.quotes))
	sums := make([]sum, len(r.quotes))
	for i := range res.Realized {
		x := &res.Realized[i]
		q := quoteOf[x.Symbol.Quote()]
		sums[q].add(x.PnL)
		out[q].FeesUnknown = out[q].FeesUnknown || x.FeesUnknown
	}
	for i := range out {
		out[i].Realized = sums[i].total()
	}
	un, err := res.Unrealized(prices)
	if err != nil {
		return nil, err
	}
	for _, u := range un {
		f := &out[quoteOf[u.Symbol.Quote()]]
		f.Unrealized = f.Unrealized.Add(u.PnL)
		f.FeesUnknown = f.FeesUnknown || u.FeesUnknown
	}
	for i := range out {
		out[i].Total = out[i].Realized.Add(out[i].Unrealized)
	}
	return out, nil
}

// sum adds decimals exactly: as int64 multiples of 10^-12 (the ledger's pro-rating precision)
// while they fit, in decimal.Decimal otherwise.
type sum struct {
	small int64 // in units of 10^-sumPlaces
	big   decimal.Decimal
}

const sumPlaces = 12

var sumPow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

func (s *sum) add(d decimal.Decimal) {
	if shift := sumPlaces + int(d.Exponent()); shift >= 0 && shift <= 18 && d.NumDigits() <= 18 {
		m := d.CoefficientInt64()
		p := sumPow10[shift]
		if m <= math.MaxInt64/p && m >= -math.MaxInt64/p {
			v := m * p
			if t := s.small + v; (v >= 0) == (t >= s.small) {
				s.small = t
				return
			}
		}
	}
	s.big = s.big.Add(d)
}

func (s *sum) total() decimal.Decimal {
	if s.small == 0 {
		return s.big
	}
	return s.big.Add(decimal.New(s.small, -sumPlaces))
}

// markAt returns the latest price of symbol i known at t: the close of its last candle that
// closed at or before t, or the price of its last actual fill before t when that came later.
func (r *run) markAt(i int32, t int64) Mark {
	m := Mark{Symbol: r.syms[i].sym}
	candleAt := int64(-1 << 63)
	if s := r.serie[i]; s != nil {
		if j := s.lastClosed(t); j >= 0 {
			candleAt = s.closeTime(j)
			m.Price = decimal.NewFromFloat(s.bars[j].Close)
			m.At = time.Unix(0, candleAt).UTC()
		}
	}
	for k := len(r.fills) - 1; k >= 0; k-- {
		f := &r.fills[k]
		if f.sym != i || f.ts >= t {
			continue
		}
		if f.ts > candleAt {
			m.Price, m.At, m.Fill = f.t.Price, f.t.TS.UTC(), true
		}
		break
	}
	return m
}
