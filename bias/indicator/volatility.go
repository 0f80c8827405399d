package indicator

import "math"

// Volatility returns the rolling volatility of xs over n bars: the population standard deviation
// (divided by n) of the n one-bar log returns ln(xs[i]/xs[i-1]) for i in t-n+1..t, computed as
// LogReturn computes them. It is per bar, not annualized: multiply by √(bars a year) for that
// (√525,600 for minute candles). out has len(xs) elements, NaN during the warm-up (t < n, as n
// returns need n+1 prices) and around gaps; all NaN when n is out of range. Prices must be
// positive: a price that is not finite and > 0 is a gap (see the package doc).
//
// Population, not sample (n−1), standard deviation: it is the one TA-Lib's STDDEV, Bollinger and
// ZScore use, so the whole package has one denominator. The sample value is this one times
// √(n/(n−1)). A window of identical returns (a flat market, or a constant trend) has volatility
// exactly 0.
func Volatility(xs []float64, n int) []float64 {
	s, err := NewVolatility(n)
	return apply(xs, s, err)
}

// VolatilityStream is the streaming form of Volatility: each Update is O(1) and allocates
// nothing.
type VolatilityStream struct {
	w    window  // log returns
	prev float64 // the previous price, or 0 before the first
}

// NewVolatility returns a volatility stream over n log returns, or an error wrapping
// ErrInvalidParam unless 1 ≤ n ≤ MaxPeriod.
func NewVolatility(n int) (*VolatilityStream, error) {
	if err := checkPeriod("Volatility", "period", n); err != nil {
		return nil, err
	}
	return &VolatilityStream{w: newWindow(n, true)}, nil
}

// Lookback returns n: the first value comes with input number n+1.
func (s *VolatilityStream) Lookback() int { return len(s.w.buf) }

// Reset returns the stream to its newly constructed state without allocating.
func (s *VolatilityStream) Reset() {
	s.w.reset()
	s.prev = 0
}

// Update adds the next price and returns the standard deviation of the last n log returns. ok
// is false, and the value NaN, during the warm-up; a price that is not finite and > 0 is a gap
// that restarts the warm-up.
func (s *VolatilityStream) Update(x float64) (value float64, ok bool) {
	if !(x > 0 && x <= math.MaxFloat64) { // x > 0 and finite, as NaN fails both tests
		s.Reset()
		return nan, false
	}
	prev := s.prev
	s.prev = x
	if prev == 0 { // prices are > 0
		return nan, false
	}
	// logReturn(x, prev), with its common case inlined: the return is at the head of the
	// chain of dependent operations that makes most of an Update's time.
	var r float64
	if d, sum := x-prev, x+prev; math.Abs(d/sum) < 0x1p-6 && sum <= math.MaxFloat64 {
		r = atanh2(d / sum)
	} else {
		r = logReturn(x, prev)
	}
	// s.w.pushVar(r), with its steps inlined once the window is full (see slide).
	var varc float64
	if w := &s.w; w.full() {
		sum, sq := w.slide(r)
		wrapped := w.advance(r)
		var dmean float64
		if dmean, varc = w.momentsOf(sum, sq); wrapped || w.stale(dmean, varc) {
			_, varc = w.recenter(wrapped)
		}
	} else if _, v, full := w.pushVar(r); full {
		varc = v
	} else {
		return nan, false
	}
	// ok as v == v, read off varc (the square root of a number is NaN just when it is NaN or
	// below 0, and variance is never below 0) so that it need not wait for the square root.
	return math.Sqrt(variance(varc)), varc == varc
}
