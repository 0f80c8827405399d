package sim

import "time"

// equity fills in Result.Equity: for each quote asset, the P/L since the window start of both
// books at n times, marked to market. The window is cut into n equal buckets (n is Params.Points,
// or fewer when the window holds fewer candles of the shortest interval) and each point is the
// equity at the end of its bucket: every fill before that time applied, open positions valued at
// the latest price known then (the close of the last candle that closed by then, or the last
// actual fill's price when it came later). So a point is the last value of its bucket, and the
// last point, at the window end, is Total of PnL, up to float64 rounding.
func (r *run) equity(cfLegs []leg) {
	n := r.p.points()
	span := r.to - r.from
	if r.cs.minStep > 0 {
		if bars := (span + r.cs.minStep - 1) / r.cs.minStep; bars < int64(n) {
			n = int(bars)
		}
	}
	at := make([]int64, n)
	q, rem := span/int64(n), span%int64(n)
	for i := range at {
		at[i] = r.from + q*int64(i+1) + rem*int64(i+1)/int64(n)
	}
	marks := r.marks(at)
	actual := r.book(r.actualLegs(), at, marks)
	counter := r.book(cfLegs, at, marks)
	order := r.quoteOrder()
	r.res.Equity = make([]Curve, len(order))
	for i, qi := range order {
		c := Curve{Quote: r.quotes[qi], Points: make([]Point, n)}
		for j := range at {
			c.Points[j] = Point{At: time.Unix(0, at[j]).UTC(), Actual: actual[j][qi], Counterfactual: counter[j][qi]}
		}
		r.res.Equity[i] = c
	}
}

// marks returns the price of every symbol at each time of at (see equity): marks[j][sym].
func (r *run) marks(at []int64) [][]float64 {
	out := make([][]float64, len(at))
	lastFill := make([]int64, len(r.syms))
	lastPrice := make([]float64, len(r.syms))
	for i := range lastFill {
		lastFill[i] = -1 << 63
	}
	k := 0
	for j, t := range at {
		for ; k < len(r.fills) && r.fills[k].ts < t; k++ {
			f := &r.fills[k]
			lastFill[f.sym], lastPrice[f.sym] = f.ts, f.priceF
		}
		row := make([]float64, len(r.syms))
		for i := range r.syms {
			row[i] = lastPrice[i]
			if s := r.serie[i]; s != nil {
				if b := s.lastClosed(t); b >= 0 && s.closeTime(b) >= lastFill[i] {
					row[i] = s.bars[b].Close
				}
			}
		}
		out[j] = row
	}
	return out
}

// book replays legs (in time order) and returns the equity of each quote asset at each time of
// at: cash flows of the fills before it (at the window end, at or before it) plus the positions
// held valued at marks. A sell takes no
// more than is held, as the ledger gives an uncovered excess no P/L.
func (r *run) book(legs []leg, at []int64, marks [][]float64) [][]float64 {
	cash := make([]float64, len(r.quotes))
	held := make([]float64, len(r.syms))
	out := make([][]float64, len(at))
	k := 0
	for j, t := range at {
		// An added fill may fall on the window end (the close of its last candle): it counts.
		for ; k < len(legs) && (legs[k].ts < t || legs[k].ts == r.to); k++ {
			g := &legs[k]
			q := r.syms[g.sym].quote32
			if g.buy {
				held[g.sym] += g.out
				cash[q] -= g.out*g.price + g.fee
				continue
			}
			c := min(g.out, held[g.sym])
			if c <= 0 {
				continue
			}
			held[g.sym] -= c
			cash[q] += c*g.price - g.fee*c/g.out
		}
		row := make([]float64, len(r.quotes))
		copy(row, cash)
		for i := range r.syms {
			if held[i] != 0 {
				row[r.syms[i].quote32] += held[i] * marks[j][i]
			}
		}
		out[j] = row
	}
	return out
}
