package indicator

// MACDValue is one value of MACD: the MACD line, its signal line and their difference. All three
// fields are NaN when the value is undefined.
type MACDValue struct {
	MACD   float64 // EMA(fast) − EMA(slow)
	Signal float64 // EMA(signal) of the MACD line
	Hist   float64 // MACD − Signal
}

// nanMACD is the undefined MACDValue.
var nanMACD = MACDValue{MACD: nan, Signal: nan, Hist: nan}

// MACD returns Appel's moving average convergence/divergence of xs, aligned as TA-Lib's MACD:
// the fast and slow EMAs (k = 2/(n+1)) are both seeded at t = slow-1, the slow one with the
// mean of xs[0..slow-1] and the fast one with the mean of the last fast of those,
// xs[slow-fast..slow-1]; the signal EMA is seeded with the mean of the first signal MACD values.
// All three outputs start together at t = slow-1 + signal-1 (33 for 12/26/9), as in TA-Lib.
// Independently seeded EMAs (go-talib, cinar/indicator, techan) differ from these values for
// about 90 bars.
//
// Each slice has len(xs) elements, NaN during the warm-up and around gaps (see the package doc);
// all NaN when the periods are out of range.
func MACD(xs []float64, fast, slow, signal int) (macd, signalLine, hist []float64) {
	macd = make([]float64, len(xs))
	signalLine = make([]float64, len(xs))
	hist = make([]float64, len(xs))
	s, err := NewMACD(fast, slow, signal)
	if err != nil {
		fillNaN(macd)
		fillNaN(signalLine)
		fillNaN(hist)
		return macd, signalLine, hist
	}
	s.run(macd, signalLine, hist, xs)
	return macd, signalLine, hist
}

// run writes the stream's values for each of xs to macd, signalLine and hist (each of len(xs)).
// The warm-up and gaps go through Update; the steady state is a loop over smoothing.step with
// the three averages in registers, the same operations in the same order as Update, so the
// values are the same bit for bit.
func (s *MACDStream) run(macd, signalLine, hist, xs []float64) {
	macd, signalLine, hist = macd[:len(xs)], signalLine[:len(xs)], hist[:len(xs)]
	for i := 0; i < len(xs); i++ {
		if s.sigCount < s.signal {
			v, _ := s.Update(xs[i])
			macd[i], signalLine[i], hist[i] = v.MACD, v.Signal, v.Hist
			continue
		}
		fastEMA, slowEMA, sig := s.fastEMA, s.slowEMA, s.sig
		fastSm, slowSm, sigSm := s.fastSm, s.slowSm, s.sigSm
		for ; i < len(xs); i++ {
			x := xs[i]
			if !finite(x) {
				break
			}
			fastEMA = fastSm.step(fastEMA, x)
			slowEMA = slowSm.step(slowEMA, x)
			m := fastEMA - slowEMA
			sig = sigSm.step(sig, m)
			// h is NaN when m or sig is: then Update gives nanMACD.
			if h := m - sig; h == h {
				macd[i], signalLine[i], hist[i] = m, sig, h
			} else {
				macd[i], signalLine[i], hist[i] = nan, nan, nan
			}
		}
		s.fastEMA, s.slowEMA, s.sig = fastEMA, slowEMA, sig
		if i < len(xs) {
			v, _ := s.Update(xs[i]) // the gap
			macd[i], signalLine[i], hist[i] = v.MACD, v.Signal, v.Hist
		}
	}
}

// MACDStream is the streaming form of MACD: each Update is O(1) and allocates nothing.
type MACDStream struct {
	fast, slow, signal    int
	fastSm, slowSm, sigSm smoothing

	count            int // inputs in the EMA seeds so far, capped at slow
	fastEMA, slowEMA float64
	sigCount         int // MACD values in the signal seed so far, capped at signal
	sig              float64
}

// NewMACD returns a MACD stream, or an error wrapping ErrInvalidParam unless
// 1 ≤ fast < slow ≤ MaxPeriod and 1 ≤ signal ≤ MaxPeriod. (TA-Lib silently swaps fast and slow
// given in the wrong order; this package rejects them.)
func NewMACD(fast, slow, signal int) (*MACDStream, error) {
	for _, p := range []struct {
		name string
		n    int
	}{{"fast period", fast}, {"slow period", slow}, {"signal period", signal}} {
		if err := checkPeriod("MACD", p.name, p.n); err != nil {
			return nil, err
		}
	}
	if fast >= slow {
		return nil, invalidParam("MACD fast period must be less than slow period, got %d and %d", fast, slow)
	}
	s := &MACDStream{fast: fast, slow: slow, signal: signal}
	s.fastSm, s.slowSm, s.sigSm = newSmoothing(fast), newSmoothing(slow), newSmoothing(signal)
	return s, nil
}

// Lookback returns slow-1 + signal-1, as TA-Lib's TA_MACD_Lookback: the first value comes with
// input number slow + signal - 1.
func (s *MACDStream) Lookback() int { return s.slow - 1 + s.signal - 1 }

// Reset returns the stream to its newly constructed state without allocating.
func (s *MACDStream) Reset() {
	*s = MACDStream{fast: s.fast, slow: s.slow, signal: s.signal, fastSm: s.fastSm, slowSm: s.slowSm, sigSm: s.sigSm}
}

// Update adds the next input and returns the MACD value. ok is false, and every field NaN,
// during the warm-up; a NaN or ±Inf input is a gap that restarts the warm-up and the seeds.
func (s *MACDStream) Update(x float64) (value MACDValue, ok bool) {
	if !finite(x) {
		s.Reset()
		return nanMACD, false
	}
	if s.count < s.slow {
		// Seeds: the sums are kept in the EMA fields until both windows end, on this bar.
		s.slowEMA += x
		if s.count >= s.slow-s.fast {
			s.fastEMA += x
		}
		s.count++
		if s.count < s.slow {
			return nanMACD, false
		}
		s.slowEMA /= float64(s.slow)
		s.fastEMA /= float64(s.fast)
	} else {
		s.fastEMA = s.fastSm.step(s.fastEMA, x)
		s.slowEMA = s.slowSm.step(s.slowEMA, x)
	}
	m := s.fastEMA - s.slowEMA
	if s.sigCount < s.signal {
		s.sig += m // the seed sum, divided once complete
		s.sigCount++
		if s.sigCount < s.signal {
			return nanMACD, false
		}
		s.sig /= float64(s.signal)
	} else {
		s.sig = s.sigSm.step(s.sig, m)
	}
	v := MACDValue{MACD: m, Signal: s.sig, Hist: m - s.sig}
	if v.MACD != v.MACD || v.Signal != v.Signal || v.Hist != v.Hist {
		return nanMACD, false
	}
	return v, true
}
