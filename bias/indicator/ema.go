package indicator

// EMA returns the exponential moving average of xs with period n, as TA-Lib computes it:
// k = 2/(n+1), the first value (at t = n-1) is the SMA of the first n inputs, and then
// out[t] = (xs[t]-out[t-1])·k + out[t-1]. out has len(xs) elements, NaN during the warm-up and
// around gaps (see the package doc); all NaN when n is out of range.
//
// Like every recursive average, the value depends on where the series starts (TA-Lib's
// "unstable period"): two series that end alike agree to about (1-k)^m after m common bars.
func EMA(xs []float64, n int) []float64 {
	s, err := NewEMA(n)
	return apply(xs, s, err)
}

// EMAStream is the streaming form of EMA: each Update is O(1) and allocates nothing.
type EMAStream struct {
	n     int
	k     float64
	count int // inputs in the seed so far, capped at n
	sum   float64
	ema   float64
}

// NewEMA returns an EMA stream with period n, or an error wrapping ErrInvalidParam unless
// 1 ≤ n ≤ MaxPeriod.
func NewEMA(n int) (*EMAStream, error) {
	if err := checkPeriod("EMA", "period", n); err != nil {
		return nil, err
	}
	return &EMAStream{n: n, k: 2 / float64(n+1)}, nil
}

// Lookback returns n-1, as TA-Lib's TA_EMA_Lookback: the first value comes with input number n.
func (s *EMAStream) Lookback() int { return s.n - 1 }

// Reset returns the stream to its newly constructed state without allocating.
func (s *EMAStream) Reset() { *s = EMAStream{n: s.n, k: s.k} }

// Update adds the next input and returns the moving average. ok is false, and the value NaN,
// during the warm-up; a NaN or ±Inf input is a gap that restarts the warm-up and the seed.
func (s *EMAStream) Update(x float64) (value float64, ok bool) {
	if !finite(x) {
		s.Reset()
		return nan, false
	}
	if s.count < s.n {
		s.sum += x
		s.count++
		if s.count < s.n {
			return nan, false
		}
		s.ema = s.sum / float64(s.n)
	} else {
		s.ema = float64((x-s.ema)*s.k) + s.ema
	}
	return s.ema, s.ema == s.ema
}
