package indicator

import "math"

// ZScore returns the rolling z-score of xs over n bars: out[t] = (xs[t] − mean)/σ, where the
// mean and the population standard deviation σ (divided by n, as TA-Lib's STDDEV and BBANDS) are
// those of the n values xs[t-n+1..t], which include xs[t]. out has len(xs) elements, NaN during
// the warm-up (t < n-1) and around gaps (see the package doc); all NaN when n is out of range.
//
// σ = 0: the window then holds n identical values, so xs[t] equals the mean and the z-score is
// 0/0; this package defines it as 0 ("no deviation from the recent mean"), never NaN or ±Inf.
// The same holds when σ rounds to 0 for values that differ by less than rounding can show.
func ZScore(xs []float64, n int) []float64 {
	s, err := NewZScore(n)
	return apply(xs, s, err)
}

// ZScoreStream is the streaming form of ZScore: each Update is O(1) and allocates nothing.
type ZScoreStream struct {
	w window
}

// NewZScore returns a z-score stream over n bars, or an error wrapping ErrInvalidParam unless
// 1 ≤ n ≤ MaxPeriod.
func NewZScore(n int) (*ZScoreStream, error) {
	if err := checkPeriod("ZScore", "period", n); err != nil {
		return nil, err
	}
	return &ZScoreStream{w: newWindow(n, true)}, nil
}

// Lookback returns n-1: the first value comes with input number n.
func (s *ZScoreStream) Lookback() int { return len(s.w.buf) - 1 }

// Reset returns the stream to its newly constructed state without allocating.
func (s *ZScoreStream) Reset() { s.w.reset() }

// Update adds the next input and returns its z-score against the last n inputs. ok is false,
// and the value NaN, during the warm-up; a NaN or ±Inf input is a gap that restarts the
// warm-up.
func (s *ZScoreStream) Update(x float64) (value float64, ok bool) {
	if !finite(x) {
		s.Reset()
		return nan, false
	}
	dmean, varc, full := s.w.pushVar(x)
	if !full {
		return nan, false
	}
	sd := math.Sqrt(variance(varc))
	if sd == 0 {
		return 0, true
	}
	z := s.w.deviation(dmean) / sd
	return z, z == z
}
