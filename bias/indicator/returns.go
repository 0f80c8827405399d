package indicator

import "math"

// SimpleReturn returns the simple return of xs over k bars: out[t] = xs[t]/xs[t-k] − 1,
// computed as (xs[t]−xs[t-k])/xs[t-k] so that small returns keep their precision. out has
// len(xs) elements, NaN during the warm-up (t < k) and around gaps; all NaN when k is out of
// range. Prices must be positive: a price that is not finite and > 0 is a gap (see the package
// doc).
func SimpleReturn(xs []float64, k int) []float64 {
	s, err := NewSimpleReturn(k)
	return apply(xs, s, err)
}

// LogReturn returns the log return of xs over k bars: out[t] = ln(xs[t]/xs[t-k]), computed as
// 2·atanh((xs[t]−xs[t-k])/(xs[t]+xs[t-k])) so that small returns keep their precision (within
// 2 ulp; beyond ±3%, as log1p((xs[t]−xs[t-k])/xs[t-k])). out has len(xs) elements,
// NaN during the warm-up (t < k) and around gaps; all NaN when k is out of range. Prices must
// be positive: a price that is not finite and > 0 is a gap (see the package doc).
func LogReturn(xs []float64, k int) []float64 {
	s, err := NewLogReturn(k)
	return apply(xs, s, err)
}

// SimpleReturnStream is the streaming form of SimpleReturn: each Update is O(1) and allocates
// nothing.
type SimpleReturnStream struct {
	l lag
}

// NewSimpleReturn returns a stream of simple returns over k bars, or an error wrapping
// ErrInvalidParam unless 1 ≤ k ≤ MaxPeriod.
func NewSimpleReturn(k int) (*SimpleReturnStream, error) {
	if err := checkPeriod("SimpleReturn", "bars", k); err != nil {
		return nil, err
	}
	return &SimpleReturnStream{l: lag{buf: make([]float64, k)}}, nil
}

// Lookback returns k: the first value comes with input number k+1.
func (s *SimpleReturnStream) Lookback() int { return len(s.l.buf) }

// Reset returns the stream to its newly constructed state without allocating.
func (s *SimpleReturnStream) Reset() { s.l.reset() }

// Update adds the next price and returns the return since the price k inputs earlier. ok is
// false, and the value NaN, during the warm-up; a price that is not finite and > 0 is a gap that
// restarts the warm-up.
func (s *SimpleReturnStream) Update(x float64) (value float64, ok bool) {
	if !(x > 0) || !finite(x) {
		s.Reset()
		return nan, false
	}
	prev, ok := s.l.push(x)
	if !ok {
		return nan, false
	}
	return (x - prev) / prev, true
}

// LogReturnStream is the streaming form of LogReturn: each Update is O(1) and allocates nothing.
type LogReturnStream struct {
	l lag
}

// NewLogReturn returns a stream of log returns over k bars, or an error wrapping
// ErrInvalidParam unless 1 ≤ k ≤ MaxPeriod.
func NewLogReturn(k int) (*LogReturnStream, error) {
	if err := checkPeriod("LogReturn", "bars", k); err != nil {
		return nil, err
	}
	return &LogReturnStream{l: lag{buf: make([]float64, k)}}, nil
}

// Lookback returns k: the first value comes with input number k+1.
func (s *LogReturnStream) Lookback() int { return len(s.l.buf) }

// Reset returns the stream to its newly constructed state without allocating.
func (s *LogReturnStream) Reset() { s.l.reset() }

// Update adds the next price and returns the log return since the price k inputs earlier. ok is
// false, and the value NaN, during the warm-up; a price that is not finite and > 0 is a gap that
// restarts the warm-up.
func (s *LogReturnStream) Update(x float64) (value float64, ok bool) {
	if !(x > 0) || !finite(x) {
		s.Reset()
		return nan, false
	}
	prev, ok := s.l.push(x)
	if !ok {
		return nan, false
	}
	return logReturn(x, prev), true
}

// logReturn returns ln(x/prev) for positive prices, accurately also when x is close to prev.
//
// It is 2·atanh(s) with s = (x−prev)/(x+prev), as ln(x/prev) = ln((1+s)/(1−s)). When |s| < 2⁻⁶
// (returns within about ±3%, nearly every bar of a minute or hour series) it sums the series
// 2s + 2s·(s²/3 + s⁴/5 + s⁶/7 + s⁸/9), whose first omitted term is under 2⁻⁶³ of the result:
// x−prev is then exact (Sterbenz), s is within about 1 ulp, and the correction is under 2⁻¹² of
// 2s, so the result is within 2 ulp (1.9 measured; math.Log1p of the rounded quotient, 1.5).
// That takes one division and a short dependency chain (see atanh2), where math.Log1p takes two
// divisions and a call, and each product is rounded explicitly, so the result is the same on
// every platform. Otherwise (larger moves, or x+prev overflowing) it returns
// math.Log1p((x−prev)/prev).
func logReturn(x, prev float64) float64 {
	d, sum := x-prev, x+prev
	if s := d / sum; math.Abs(s) < 0x1p-6 && sum <= math.MaxFloat64 {
		return atanh2(s)
	}
	return math.Log1p(d / prev)
}

// atanh2 returns 2·atanh(s) for |s| < 2⁻⁶ by logReturn's series, as 2s + c·(1/3 + z/5) +
// c·z²·(1/7 + z/9) with z = s² and c = 2s·z: the two halves of the correction are independent,
// so the result is six dependent operations from s (seven with the halves nested). It is small
// enough to be inlined, so that a stream that takes log returns on every input
// (VolatilityStream) can do logReturn's common case in its own frame and call logReturn only for
// large moves.
func atanh2(s float64) float64 {
	s2 := 2 * s
	z := float64(s * s)
	c := float64(s2 * z)
	lo := 1.0/3 + float64(z*(1.0/5))
	hi := 1.0/7 + float64(z*(1.0/9))
	return s2 + (float64(c*lo) + float64(float64(c*float64(z*z))*hi))
}
