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
	out := make([]float64, len(xs))
	s, err := NewRSI(n)
	if err != nil {
		fillNaN(out)
		return out
	}
	s.run(out, xs)
	return out
}

// run writes the stream's value for each of xs to out (len(out) == len(xs)). The warm-up and
// gaps go through Update; the steady state is a loop over wilderStep and rsiOf with the averages
// in registers, the same operations in the same order as Update, so the values are the same bit
// for bit.
func (s *RSIStream) run(out, xs []float64) {
	out = out[:len(xs)]
	for i := 0; i < len(xs); i++ {
		if s.count < s.n {
			out[i], _ = s.Update(xs[i])
			continue
		}
		prev, gain, loss := s.prev, s.gain, s.loss
		n1, invN := float64(s.n)-1, s.invN
		for ; i < len(xs); i++ {
			x := xs[i]
			if !finite(x) {
				break
			}
			d := x - prev
			prev = x
			gain = wilderStep(gain, max(d, 0), n1, invN)
			loss = wilderStep(loss, max(-d, 0), n1, invN)
			out[i] = rsiOf(gain, loss)
		}
		s.prev, s.gain, s.loss = prev, gain, loss
		if i < len(xs) {
			out[i], _ = s.Update(xs[i]) // the gap
		}
	}
}

// wilderStep is one step of Wilder's smoothing, (avg·(n-1) + x)/n, in TA-Lib's order of
// operations except that it multiplies by invN = 1/n where TA-Lib divides by n: a division on
// the chain from one update to the next costs a third of the update, and the results differ
// only by rounding (about 1e-16). n1 is n-1. Each product is rounded on its own (no FMA), the
// result too: inlined, it may meet an addition (G+L in RSI).
func wilderStep(avg, x, n1, invN float64) float64 {
	return float64(float64(float64(avg*n1)+x) * invN)
}

// rsiOf is the RSI of average gain and loss: 100·G/(G+L), and 0 when G+L is 0 (see RSI).
func rsiOf(gain, loss float64) float64 {
	t := gain + loss
	if t == 0 {
		return 0
	}
	return 100 * (gain / t)
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
		s.gain = wilderStep(s.gain, max(d, 0), n-1, s.invN)
		s.loss = wilderStep(s.loss, max(-d, 0), n-1, s.invN)
	}
	v := rsiOf(s.gain, s.loss)
	return v, v == v
}
