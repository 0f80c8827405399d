package indicator

// SMA returns the simple moving average of xs over n bars: out[t] = mean(xs[t-n+1 .. t]), the
// same as TA-Lib's SMA. out has len(xs) elements, NaN during the warm-up (t < n-1) and around
// gaps (see the package doc); all NaN when n is out of range.
func SMA(xs []float64, n int) []float64 {
	out := make([]float64, len(xs))
	s, err := NewSMA(n)
	if err != nil {
		fillNaN(out)
		return out
	}
	s.run(out, xs)
	return out
}

// SMAStream is the streaming form of SMA: each Update is amortized O(1) (O(1) but for the first
// negative input of a round of n inputs, which re-sums the window once) and allocates nothing.
type SMAStream struct {
	w meanWindow
}

// NewSMA returns an SMA stream over n bars, or an error wrapping ErrInvalidParam unless
// 1 ≤ n ≤ MaxPeriod.
func NewSMA(n int) (*SMAStream, error) {
	if err := checkPeriod("SMA", "period", n); err != nil {
		return nil, err
	}
	return &SMAStream{w: newMeanWindow(n)}, nil
}

// Lookback returns n-1: the number of inputs consumed before the first value, which comes with
// input number n.
func (s *SMAStream) Lookback() int { return len(s.w.buf) - 1 }

// Reset returns the stream to its newly constructed state without allocating.
func (s *SMAStream) Reset() { s.w.reset() }

// Update adds the next input and returns the average of the last n inputs. ok is false, and the
// value NaN, during the warm-up; a NaN or ±Inf input is a gap that restarts the warm-up.
func (s *SMAStream) Update(x float64) (value float64, ok bool) {
	if !finite(x) {
		s.Reset()
		return nan, false
	}
	v, full := s.w.push(x)
	return v, full && v == v
}
