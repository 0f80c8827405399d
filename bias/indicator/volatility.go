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
	w       window // log returns
	started bool   // whether prev holds a price
	prev    float64
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
	s.started, s.prev = false, 0
}

// Update adds the next price and returns the standard deviation of the last n log returns. ok
// is false, and the value NaN, during the warm-up; a price that is not finite and > 0 is a gap
// that restarts the warm-up.
func (s *VolatilityStream) Update(x float64) (value float64, ok bool) {
	if !(x > 0) || !finite(x) {
		s.Reset()
		return nan, false
	}
	if !s.started {
		s.started, s.prev = true, x
		return nan, false
	}
	r := logReturn(x, s.prev)
	s.prev = x
	_, varc, full := s.w.pushVar(r)
	if !full {
		return nan, false
	}
	v := math.Sqrt(variance(varc))
	return v, v == v
}
