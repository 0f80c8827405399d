package rules

import (
	"cmp"
	"math"
	"slices"

	"github.com/tradecoach/coach"
)

// CandleSeries holds candles by symbol. They need not be clean: Evaluate sorts them, drops
// invalid and repeated bars, uses only each symbol's shortest interval, and reports what it
// dropped in Evaluation.Data. It is the same type as bias.CandleSeries (coach.CandleSeries).
type CandleSeries = coach.CandleSeries

// SeriesOf groups candles by their Symbol (coach.SeriesOf).
func SeriesOf(candles []coach.Candle) CandleSeries { return coach.SeriesOf(candles) }

// frame is one symbol's clean bars of one interval, in time order.
type frame struct {
	step  int64     // the interval in nanoseconds
	open  []int64   // OpenTime in Unix nanoseconds, increasing
	close []float64 // Close
	low   []float64 // Low
	tree  []float64 // min-tree over low, built on first use (see firstAtMost)
	size  int       // leaves of tree, a power of two
	hint  int       // where the last lookup found its bar: trades come in time order
}

// prepare cleans series[sym]; nil when no valid bar is left.
func prepare(sym coach.Symbol, in []coach.Candle, data *DataReport) *frame {
	valid := sym.Valid()
	var step int64
	for i := range in {
		c := &in[i]
		if d := int64(c.Interval.Duration()); d > 0 && valid && c.Symbol == sym && goodBar(c, d) && (step == 0 || d < step) {
			step = d
		}
	}
	type row struct {
		open          int64
		o, h, l, c, v float64
	}
	rows := make([]row, 0, len(in))
	for i := range in {
		c := &in[i]
		d := int64(c.Interval.Duration())
		switch {
		case d == 0 || !valid || c.Symbol != sym || !goodBar(c, d):
			data.Invalid++
		case d != step:
			data.OtherInterval++
		default:
			rows = append(rows, row{c.OpenTime.UnixNano(), c.Open, c.High, c.Low, c.Close, c.Volume})
		}
	}
	if !slices.IsSortedFunc(rows, func(a, b row) int { return cmp.Compare(a.open, b.open) }) {
		slices.SortStableFunc(rows, func(a, b row) int { return cmp.Compare(a.open, b.open) })
	}
	f := &frame{step: step, open: make([]int64, 0, len(rows)), close: make([]float64, 0, len(rows)), low: make([]float64, 0, len(rows))}
	for i := 0; i < len(rows); {
		j := i + 1
		conflict := false
		for j < len(rows) && rows[j].open == rows[i].open {
			conflict = conflict || rows[j] != rows[i]
			j++
		}
		if conflict {
			data.Conflicting += j - i
		} else {
			data.Duplicates += j - i - 1
			f.open = append(f.open, rows[i].open)
			f.close = append(f.close, rows[i].c)
			f.low = append(f.low, rows[i].l)
		}
		i = j
	}
	if len(f.open) == 0 {
		return nil
	}
	data.Candles += len(f.open)
	return f
}

// goodBar reports whether c has finite positive prices with low ≤ open, close ≤ high, a finite
// volume ≥ 0 and an OpenTime aligned to its interval of step nanoseconds within 1970–2261 (so
// that Unix nanoseconds hold it).
func goodBar(c *coach.Candle, step int64) bool {
	if !finite(c.Open) || !finite(c.High) || !finite(c.Low) || !finite(c.Close) || !finite(c.Volume) {
		return false
	}
	if !(c.Low > 0) || c.Low > c.High || c.Open < c.Low || c.Open > c.High ||
		c.Close < c.Low || c.Close > c.High || c.Volume < 0 {
		return false
	}
	y := c.OpenTime.Year()
	return y >= 1970 && y < 2262 && c.OpenTime.UnixNano()%step == 0
}

// find returns the index of the bar opening at open, or -1.
func (f *frame) find(open int64) int {
	h := f.hint
	switch {
	case h < len(f.open) && f.open[h] == open:
		return h
	case h+1 < len(f.open) && f.open[h+1] == open:
		f.hint = h + 1
		return h + 1
	}
	i, ok := slices.BinarySearch(f.open, open)
	if !ok {
		return -1
	}
	f.hint = i
	return i
}

// lastClosed returns the index of the bar that closed last at or before ts — the bar just before
// the one containing ts — or -1 and why it is missing.
func (f *frame) lastClosed(ts int64) (int, string) {
	if f == nil {
		return -1, ReasonNoCandles
	}
	want := floorDiv(ts, f.step)*f.step - f.step
	if i := f.find(want); i >= 0 {
		return i, ""
	}
	if want < f.open[0] {
		return -1, ReasonNoCandles
	}
	return -1, ReasonMissingCandle
}

// from returns the index of the first bar opening at or after ns.
func (f *frame) from(ns int64) int {
	i, _ := slices.BinarySearch(f.open, ns)
	return i
}

// firstAtMost returns the first index in [i, j) whose low is at most x, or -1.
func (f *frame) firstAtMost(i, j int, x float64) int {
	if i >= j {
		return -1
	}
	if f.tree == nil {
		f.size = 1
		for f.size < len(f.low) {
			f.size *= 2
		}
		f.tree = make([]float64, 2*f.size)
		for k := range f.size {
			f.tree[f.size+k] = math.Inf(1)
			if k < len(f.low) {
				f.tree[f.size+k] = f.low[k]
			}
		}
		for k := f.size - 1; k >= 1; k-- {
			f.tree[k] = min(f.tree[2*k], f.tree[2*k+1])
		}
	}
	return f.first(1, 0, f.size, i, j, x)
}

func (f *frame) first(node, lo, hi, i, j int, x float64) int {
	if hi <= i || j <= lo || f.tree[node] > x {
		return -1
	}
	if hi-lo == 1 {
		return lo
	}
	mid := (lo + hi) / 2
	if k := f.first(2*node, lo, mid, i, j, x); k >= 0 {
		return k
	}
	return f.first(2*node+1, mid, hi, i, j, x)
}

// floorDiv is a/b rounded toward −∞ (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// ceilDiv is a/b rounded toward +∞ (b > 0).
func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }
