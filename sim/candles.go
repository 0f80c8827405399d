package sim

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/tradecoach/coach"
)

// series is one symbol's clean candles of one interval, in time order, OpenTime strictly
// increasing.
type series struct {
	sym   coach.Symbol
	iv    coach.Interval
	step  int64 // the interval in nanoseconds
	bars  []coach.Candle
	open0 int64 // OpenTime of bars[0], Unix nanoseconds
	tree  *extremes
}

// candleSet is the clean candles of the symbols a simulation reads.
type candleSet struct {
	bySym   map[coach.Symbol]*series
	ordered []*series // by symbol
	dropped int
	minStep int64 // the shortest interval, 0 without candles
}

// cleanCandles keeps the candles of the symbols in want with CloseTime ≤ to: of each symbol the
// bars of interval iv (or, with iv empty, of the shortest interval given), valid bars only, one
// copy of a bar repeated with the same values, none of a bar given twice with different values.
// It counts every other bar of a wanted symbol as dropped. Input already clean and in order is
// used without copying.
func cleanCandles(in []coach.Candle, want map[coach.Symbol]bool, iv coach.Interval, to time.Time) *candleSet {
	cs := &candleSet{bySym: make(map[coach.Symbol]*series)}
	// Group runs of one symbol: in the usual case each symbol's candles are one run and are
	// used in place.
	type group struct {
		runs [][2]int
		n    int
	}
	groups := make(map[coach.Symbol]*group)
	var last coach.Symbol
	var g *group
	for i := 0; i < len(in); {
		sym := in[i].Symbol
		j := i + 1
		for j < len(in) && in[j].Symbol == sym {
			j++
		}
		if g == nil || sym != last {
			g = groups[sym]
			if g == nil && want[sym] {
				g = &group{}
				groups[sym] = g
			}
			last = sym
		}
		if g != nil {
			g.runs = append(g.runs, [2]int{i, j})
			g.n += j - i
		}
		i = j
	}
	toNs := to.UnixNano()
	for sym, g := range groups {
		var bars []coach.Candle
		if len(g.runs) == 1 {
			bars = in[g.runs[0][0]:g.runs[0][1]:g.runs[0][1]]
		} else {
			bars = make([]coach.Candle, 0, g.n)
			for _, r := range g.runs {
				bars = append(bars, in[r[0]:r[1]]...)
			}
		}
		var s *series
		var dropped int
		if iv != "" {
			s, dropped = cleanSeries(sym, iv, bars, toNs)
		} else if s, dropped = cleanSeries(sym, bars[0].Interval, bars, toNs); dropped > 0 || s == nil {
			// The first bar's interval is not every bar's: use the shortest one given.
			s, dropped = cleanSeries(sym, shortestInterval(bars), bars, toNs)
		}
		cs.dropped += dropped
		if s != nil {
			cs.bySym[sym] = s
			cs.ordered = append(cs.ordered, s)
			if cs.minStep == 0 || s.step < cs.minStep {
				cs.minStep = s.step
			}
		}
	}
	slices.SortFunc(cs.ordered, func(a, b *series) int { return cmp.Compare(a.sym, b.sym) })
	return cs
}

// shortestInterval returns the shortest known interval among bars.
func shortestInterval(bars []coach.Candle) coach.Interval {
	var best, last coach.Interval
	for i := range bars {
		iv := bars[i].Interval
		if iv == last {
			continue
		}
		last = iv
		if d := iv.Duration(); d > 0 && (best == "" || d < best.Duration()) {
			best = iv
		}
	}
	return best
}

// goodBar reports whether c is a valid bar of interval iv (step nanoseconds): the checks of
// coach.Candle.Validate, except the symbol, which the caller checks once.
func goodBar(c *coach.Candle, iv coach.Interval, step int64) bool {
	return c.Interval == iv && !c.OpenTime.IsZero() && c.OpenTime.UnixNano()%step == 0 && goodPrices(c)
}

// goodPrices reports whether 0 < low ≤ open, close ≤ high < +Inf and 0 ≤ volume < +Inf. Every
// comparison with a NaN is false, so no NaN or infinity passes.
func goodPrices(c *coach.Candle) bool {
	return c.Low > 0 && c.Low <= c.Open && c.Low <= c.Close && c.Open <= c.High && c.Close <= c.High &&
		c.High <= math.MaxFloat64 && c.Volume >= 0 && c.Volume <= math.MaxFloat64
}

// cleanSeries returns the clean bars of sym and interval iv among bars that close at or before to
// (nil if none), and the number of bars dropped as invalid, of another interval, or conflicting.
// Bars closing after to are left out without being counted.
func cleanSeries(sym coach.Symbol, iv coach.Interval, bars []coach.Candle, to int64) (*series, int) {
	step := int64(iv.Duration())
	if step == 0 || !sym.Valid() {
		return nil, len(bars)
	}
	// The usual case: valid bars in order. A bar right after the previous one is aligned if
	// that one was, so only the first bar and those after a gap need the division.
	clean := true
	prev := int64(math.MinInt64)
	for i := range bars {
		c := &bars[i]
		o := c.OpenTime.UnixNano()
		if o != prev+step && (o <= prev || c.OpenTime.IsZero() || o%step != 0) || c.Interval != iv || !goodPrices(c) {
			clean = false
			break
		}
		prev = o
	}
	var kept []coach.Candle
	dropped := 0
	if clean {
		kept = bars
	} else {
		out := make([]coach.Candle, 0, len(bars))
		for i := range bars {
			c := bars[i]
			if goodBar(&c, iv, step) {
				c.OpenTime = c.OpenTime.UTC()
				out = append(out, c)
			}
		}
		dropped = len(bars) - len(out)
		slices.SortStableFunc(out, func(a, b coach.Candle) int { return a.OpenTime.Compare(b.OpenTime) })
		kept = out[:0]
		for i := 0; i < len(out); {
			j := i + 1
			conflict := false
			for j < len(out) && out[j].OpenTime.Equal(out[i].OpenTime) {
				conflict = conflict || !sameBar(&out[i], &out[j])
				j++
			}
			if conflict {
				dropped += j - i
			} else {
				dropped += j - i - 1
				kept = append(kept, out[i])
			}
			i = j
		}
	}
	// Bars closing after to are not used.
	n, _ := slices.BinarySearchFunc(kept, to-step+1, func(c coach.Candle, t int64) int { return cmp.Compare(c.OpenTime.UnixNano(), t) })
	kept = kept[:n:n]
	if len(kept) == 0 {
		return nil, dropped
	}
	return &series{sym: sym, iv: iv, step: step, bars: kept, open0: kept[0].OpenTime.UnixNano()}, dropped
}

func sameBar(a, b *coach.Candle) bool {
	return a.Open == b.Open && a.High == b.High && a.Low == b.Low && a.Close == b.Close && a.Volume == b.Volume
}

// openAt returns the OpenTime of bar i in Unix nanoseconds.
func (s *series) openAt(i int) int64 { return s.bars[i].OpenTime.UnixNano() }

// search returns the index of the first bar with OpenTime ≥ t, or len(bars). Bars without gaps
// are found by arithmetic; a gap falls back to binary search.
func (s *series) search(t int64) int {
	n := len(s.bars)
	if t <= s.open0 {
		return 0
	}
	i := int(min((t-s.open0+s.step-1)/s.step, int64(n)))
	// In a series without gaps before i, bar i opens at open0 + i·step, which is ≥ t while bar
	// i−1 opens before t.
	if i < n && s.openAt(i) == s.open0+int64(i)*s.step || i == n && s.openAt(n-1) == s.open0+int64(n-1)*s.step {
		return i
	}
	return sort.Search(n, func(j int) bool { return s.openAt(j) >= t })
}

// lastClosed returns the index of the last bar with CloseTime ≤ t (Unix nanoseconds), or -1.
func (s *series) lastClosed(t int64) int {
	// The first bar with OpenTime > t − step closes after t.
	return s.search(t-s.step+1) - 1
}

// firstOpenAtOrAfter returns the index of the first bar with OpenTime ≥ t, or len(bars).
func (s *series) firstOpenAtOrAfter(t int64) int { return s.search(t) }

// closeTime returns the CloseTime of bar i in Unix nanoseconds.
func (s *series) closeTime(i int) int64 { return s.openAt(i) + s.step }

// count returns the number of candles in the set.
func (cs *candleSet) count() int {
	n := 0
	for _, s := range cs.ordered {
		n += len(s.bars)
	}
	return n
}
