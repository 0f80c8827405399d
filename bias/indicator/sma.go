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

// steady is Update on a full window for xs[i:], writing the values to out, until a gap or the
// end of the window's round (see meanWindow), and returns the index of the first input it did
// not take. It is meanWindow.push's full-window path with the prefix sum, the run and the last
// value in registers and no call in the loop: the same operations in the same order, so the
// values are the same bit for bit.
func (s *SMAStream) steady(out, xs []float64, i int) int {
	w := &s.w
	n := len(w.buf)
	j := w.next
	m := min(len(xs)-i, n-j) // inputs left in this round
	in, vals := xs[i:i+m], out[i:i+m]
	buf, hi, lo := w.buf[j:j+m], w.sufHi[j+1:j+1+m], w.sufLo[j+1:j+1+m]
	pre, preLo, run, last, invN := w.pre, w.preLo, w.run, w.last, w.invN
	k := 0
	for ; k < len(in); k++ {
		x := in[k]
		if !finite(x) {
			break
		}
		var e float64
		pre, e = twoSum(pre, x)
		preLo += e
		buf[k] = x
		run = nextRun(run, n, x == last)
		last = x
		vals[k] = windowMean(pre, preLo, hi[k], lo[k], invN, run >= n, x)
	}
	w.pre, w.preLo, w.run, w.last, w.next = pre, preLo, run, last, j+k
	if j+k == n {
		w.rebuild()
	}
	return i + k
}

// SMAStream is the streaming form of SMA: each Update is O(1) and allocates nothing.
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
