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

// run writes the stream's value for each of xs to out (len(out) == len(xs)). The warm-up and
// gaps go through Update, the steady state through steady.
func (s *SMAStream) run(out, xs []float64) {
	out = out[:len(xs)]
	for i := 0; i < len(xs); {
		if s.w.full() && finite(xs[i]) {
			i = s.steady(out, xs, i)
			continue
		}
		out[i], _ = s.Update(xs[i])
		i++
	}
}

// steady is Update on a full window for xs[i:], writing the values to out, until a gap (it
// returns its index) or the ring's wrap (it does the periodic recompute, writes that input's
// value and returns the index after it). It is pushSum's full-window path and mean's
// arithmetic, with the sums, the run and the ring position in registers and no call in the
// loop: the same operations in the same order, so the values are the same bit for bit.
func (s *SMAStream) steady(out, xs []float64, i int) int {
	w := &s.w
	buf := w.buf
	n := len(buf)
	sum, sumErr, run, last, next := w.sum, w.sumErr, w.run, w.last, w.next
	invN := w.invN
	wrapped := false
	for ; i < len(xs); i++ {
		x := xs[i]
		if !finite(x) {
			break
		}
		var e1, e2 float64
		sum, e1 = twoSum(sum, x)
		sum, e2 = twoSum(sum, -buf[next])
		buf[next] = x
		sumErr = (sumErr + e1) + e2
		if x != last {
			run = 1
		} else if run < n {
			run++
		}
		last = x
		if next++; next == n {
			next, wrapped = 0, true
			break
		}
		if run >= n {
			out[i] = last
		} else {
			out[i] = (sum + sumErr) * invN
		}
	}
	w.sum, w.sumErr, w.run, w.last, w.next = sum, sumErr, run, last, next
	if !wrapped {
		return i
	}
	w.recompute()
	out[i] = w.mean()
	return i + 1
}

// SMAStream is the streaming form of SMA: each Update is O(1) and allocates nothing.
type SMAStream struct {
	w window
}

// NewSMA returns an SMA stream over n bars, or an error wrapping ErrInvalidParam unless
// 1 ≤ n ≤ MaxPeriod.
func NewSMA(n int) (*SMAStream, error) {
	if err := checkPeriod("SMA", "period", n); err != nil {
		return nil, err
	}
	return &SMAStream{w: newWindow(n, false)}, nil
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
	if !s.w.pushSum(x) {
		return nan, false
	}
	v := s.w.mean()
	return v, v == v
}
