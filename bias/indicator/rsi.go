package indicator

// RSI returns Wilder's relative strength index of xs with period n, as TA-Lib computes it (its
// default, non-Metastock mode). With d[t] = xs[t]-xs[t-1], the average gain G and average loss L
// are first the means of max(d,0) and max(-d,0) over the first n changes (xs[1..n]), then
// Wilder-smoothed: G = (G·(n-1) + max(d,0))/n, and likewise L; out[t] = 100·G/(G+L). The first
// value is at t = n. out has len(xs) elements, NaN during the warm-up and around gaps (see the
// package doc); all NaN when n is out of range.
//
// Flat market: when G+L is 0 (no gain and no loss in the whole history since the start or the
// last gap) the RSI is 0, as in TA-Lib. So 0 means "never moved" as well as "only fell"; a
// caller that must tell them apart checks whether the prices moved. A market that goes flat
// after moving keeps its last RSI, because Wilder smoothing shrinks G and L at the same rate.
// TA-Lib tests G+L against an absolute 1e-8; this package tests for exactly 0, because that
// tolerance would pin the RSI of a coin priced below about 1e-6 to 0.
func RSI(xs []float64, n int) []float64 {
	s, err := NewRSI(n)
	return apply(xs, s, err)
}

// RSIStream is the streaming form of RSI: each Update is O(1) and allocates nothing.
type RSIStream struct {
	n       int
	invN    float64 // 1/n
	started bool    // whether prev holds a price
	prev    float64
	count   int // changes in the seed so far, capped at n
	gain    float64
	loss    float64
}

// NewRSI returns an RSI stream with period n, or an error wrapping ErrInvalidParam unless
// 1 ≤ n ≤ MaxPeriod.
func NewRSI(n int) (*RSIStream, error) {
	if err := checkPeriod("RSI", "period", n); err != nil {
		return nil, err
	}
	return &RSIStream{n: n, invN: 1 / float64(n)}, nil
}

// Lookback returns n, as TA-Lib's TA_RSI_Lookback: the first value comes with input number
// n+1, once n changes have been seen.
func (s *RSIStream) Lookback() int { return s.n }

// Reset returns the stream to its newly constructed state without allocating.
func (s *RSIStream) Reset() { *s = RSIStream{n: s.n, invN: s.invN} }

// Update adds the next price and returns the RSI, in [0, 100]. ok is false, and the value NaN,
// during the warm-up; a NaN or ±Inf input is a gap that restarts the warm-up and the seed.
func (s *RSIStream) Update(x float64) (value float64, ok bool) {
	if !finite(x) {
		s.Reset()
		return nan, false
	}
	if !s.started {
		s.started, s.prev = true, x
		return nan, false
	}
	d := x - s.prev
	s.prev = x
	n := float64(s.n)
	// max(d, 0) and max(-d, 0) avoid a branch the predictor would miss half the time; adding the
	// +0 of the other side leaves a sum unchanged, so this equals TA-Lib's if/else bit for bit.
	if s.count < s.n {
		// Seed: sums over the first n changes, divided by n once they are all in.
		s.gain += max(d, 0)
		s.loss += max(-d, 0)
		s.count++
		if s.count < s.n {
			return nan, false
		}
		s.gain /= n
		s.loss /= n
	} else {
		// Wilder smoothing in TA-Lib's order of operations, except that it multiplies by 1/n
		// where TA-Lib divides by n: a division on the chain from one update to the next costs
		// a third of the update, and the results differ only by rounding (about 1e-16).
		s.gain = float64(float64(s.gain*(n-1))+max(d, 0)) * s.invN
		s.loss = float64(float64(s.loss*(n-1))+max(-d, 0)) * s.invN
	}
	t := s.gain + s.loss
	if t == 0 {
		return 0, true
	}
	v := 100 * (s.gain / t)
	return v, v == v
}
