package indicator

// EMA returns the exponential moving average of xs with period n, as TA-Lib computes it:
// k = 2/(n+1), the first value (at t = n-1) is the SMA of the first n inputs, and then
// out[t] = xs[t]·k + out[t-1]·(1-k), which is TA-Lib's (xs[t]-out[t-1])·k + out[t-1] up to
// rounding (see the package doc). out has len(xs) elements, NaN during the warm-up and
// around gaps (see the package doc); all NaN when n is out of range.
//
// Like every recursive average, the value depends on where the series starts (TA-Lib's
// "unstable period"): two series that end alike agree to about (1-k)^m after m common bars.
func EMA(xs []float64, n int) []float64 {
	out := make([]float64, len(xs))
	s, err := NewEMA(n)
	if err != nil {
		fillNaN(out)
		return out
	}
	s.run(out, xs)
	return out
}

// run writes the stream's value for each of xs to out (len(out) == len(xs)). The warm-up and
// gaps go through Update; the steady state is a loop over emaStep with the average in a
// register, the same operations in the same order as Update, so the values are the same bit for
// bit.
func (s *EMAStream) run(out, xs []float64) {
	out = out[:len(xs)]
	for i := 0; i < len(xs); i++ {
		if s.count < s.n {
			out[i], _ = s.Update(xs[i])
			continue
		}
		ema, sm := s.ema, s.sm
		for ; i < len(xs); i++ {
			x := xs[i]
			if !finite(x) {
				break
			}
			ema = sm.step(ema, x)
			out[i] = ema
		}
		s.ema = ema
		if i < len(xs) {
			out[i], _ = s.Update(xs[i]) // the gap
		}
	}
}

// smoothing is the factor of an exponential moving average with period n, k = 2/(n+1), and
// its complement c = 1-k = (n-1)/(n+1), each correctly rounded.
type smoothing struct {
	k, c float64
}

// newSmoothing returns the smoothing of an EMA with period n ≥ 1.
func newSmoothing(n int) smoothing {
	return smoothing{k: 2 / float64(n+1), c: float64(n-1) / float64(n+1)}
}

// step is one step of the average: x·k + ema·c, each product rounded on its own (no FMA).
// TA-Lib computes (x-ema)·k + ema, which is the same up to rounding (the two differ by about
// 1e-16 relative, and the error of either stays below about ε/k relative); this form puts one
// multiplication and one addition, not three operations, between one value and the next, so a
// batch loop runs at that shorter latency.
func (sm smoothing) step(ema, x float64) float64 {
	return float64(x*sm.k) + float64(ema*sm.c)
}

// EMAStream is the streaming form of EMA: each Update is O(1) and allocates nothing.
type EMAStream struct {
	n     int
	sm    smoothing
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
	return &EMAStream{n: n, sm: newSmoothing(n)}, nil
}

// Lookback returns n-1, as TA-Lib's TA_EMA_Lookback: the first value comes with input number n.
func (s *EMAStream) Lookback() int { return s.n - 1 }

// Reset returns the stream to its newly constructed state without allocating.
func (s *EMAStream) Reset() { *s = EMAStream{n: s.n, sm: s.sm} }

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
		s.ema = s.sm.step(s.ema, x)
	}
	return s.ema, s.ema == s.ema
}
