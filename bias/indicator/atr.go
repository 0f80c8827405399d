package indicator

import "math"

// ATR returns Wilder's average true range with period n over bars given as high, low and close
// slices, as TA-Lib computes it. The true range of bar t ≥ 1 is
// TR[t] = max(high[t]-low[t], |close[t-1]-high[t]|, |close[t-1]-low[t]|); bar 0 has none. The
// first value, at t = n, is mean(TR[1..n]); then out[t] = (out[t-1]·(n-1) + TR[t])/n.
//
// out has len(close) elements, NaN during the warm-up and around gaps (a bar with any NaN or
// ±Inf field; see the package doc). It is all NaN when n is out of range or the three slices do
// not have the same length.
func ATR(high, low, close []float64, n int) []float64 {
	out := make([]float64, len(close))
	s, err := NewATR(n)
	if err != nil || len(high) != len(close) || len(low) != len(close) {
		fillNaN(out)
		return out
	}
	s.run(out, high, low, close)
	return out
}

// run writes the stream's value for each bar to out (all four slices of one length). The
// warm-up and gaps go through Update; the steady state is a loop over trueRange and wilderStep
// with the average in a register, the same operations in the same order as Update, so the
// values are the same bit for bit.
func (s *ATRStream) run(out, high, low, close []float64) {
	out, high, low = out[:len(close)], high[:len(close)], low[:len(close)]
	for i := 0; i < len(close); i++ {
		if s.count < s.n {
			out[i], _ = s.Update(high[i], low[i], close[i])
			continue
		}
		prevClose, atr := s.prevClose, s.atr
		n1, invN := float64(s.n)-1, s.invN
		for ; i < len(close); i++ {
			h, l, c := high[i], low[i], close[i]
			if !finite(h) || !finite(l) || !finite(c) {
				break
			}
			atr = wilderStep(atr, trueRange(h, l, prevClose), n1, invN)
			prevClose = c
			out[i] = atr
		}
		s.prevClose, s.atr = prevClose, atr
		if i < len(close) {
			out[i], _ = s.Update(high[i], low[i], close[i]) // the gap
		}
	}
}

// ATRStream is the streaming form of ATR: each Update is O(1) and allocates nothing.
type ATRStream struct {
	n         int
	invN      float64 // 1/n
	started   bool    // whether prevClose holds a close
	prevClose float64
	count     int // true ranges in the seed so far, capped at n
	atr       float64
}

// NewATR returns an ATR stream with period n, or an error wrapping ErrInvalidParam unless
// 1 ≤ n ≤ MaxPeriod.
func NewATR(n int) (*ATRStream, error) {
	if err := checkPeriod("ATR", "period", n); err != nil {
		return nil, err
	}
	return &ATRStream{n: n, invN: 1 / float64(n)}, nil
}

// Lookback returns n, as TA-Lib's TA_ATR_Lookback: the first value comes with bar number n+1,
// once n true ranges have been seen.
func (s *ATRStream) Lookback() int { return s.n }

// Reset returns the stream to its newly constructed state without allocating.
func (s *ATRStream) Reset() { *s = ATRStream{n: s.n, invN: s.invN} }

// Update adds the next bar and returns the average true range. ok is false, and the value NaN,
// during the warm-up; a bar with a NaN or ±Inf field is a gap that restarts the warm-up. The
// stream does not check that low ≤ close ≤ high, as TA-Lib does not.
func (s *ATRStream) Update(high, low, close float64) (value float64, ok bool) {
	if !finite(high) || !finite(low) || !finite(close) {
		s.Reset()
		return nan, false
	}
	if !s.started {
		s.started, s.prevClose = true, close
		return nan, false
	}
	tr := trueRange(high, low, s.prevClose)
	s.prevClose = close
	n := float64(s.n)
	if s.count < s.n {
		s.atr += tr // the seed sum, divided by n once complete
		s.count++
		if s.count < s.n {
			return nan, false
		}
		s.atr /= n
	} else {
		s.atr = wilderStep(s.atr, tr, n-1, s.invN)
	}
	return s.atr, s.atr == s.atr
}

// trueRange is TA-Lib's TRANGE of a bar given the previous bar's close: the largest of
// high-low, |prevClose-high| and |prevClose-low|. The builtin max compiles without branches,
// which matter here: which of the three is largest changes from bar to bar at random. (With
// finite inputs none of the three is NaN, so max picks what TA-Lib's comparisons pick, except
// that it prefers +0 to -0.)
func trueRange(high, low, prevClose float64) float64 {
	return max(high-low, math.Abs(prevClose-high), math.Abs(prevClose-low))
}
