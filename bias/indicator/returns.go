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
// log1p((xs[t]−xs[t-k])/xs[t-k]) so that small returns keep their precision. out has len(xs)
// elements, NaN during the warm-up (t < k) and around gaps; all NaN when k is out of range.
// Prices must be positive: a price that is not finite and > 0 is a gap (see the package doc).
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
func logReturn(x, prev float64) float64 {
	return math.Log1p((x - prev) / prev)
}
