package indicator

// Highest returns the rolling maximum of xs over n bars, including the current one:
// out[t] = max(xs[t-n+1..t]), as TA-Lib's MAX. Use it to tell how near a price is to its recent
// high; for the high of the bars before t, read out[t-1]. out has len(xs) elements, NaN during
// the warm-up (t < n-1) and around gaps (see the package doc); all NaN when n is out of range.
func Highest(xs []float64, n int) []float64 {
	s, err := NewHighest(n)
	return apply(xs, s, err)
}

// Lowest returns the rolling minimum of xs over n bars, including the current one:
// out[t] = min(xs[t-n+1..t]), as TA-Lib's MIN. out has len(xs) elements, NaN during the warm-up
// (t < n-1) and around gaps (see the package doc); all NaN when n is out of range.
func Lowest(xs []float64, n int) []float64 {
	s, err := NewLowest(n)
	return apply(xs, s, err)
}

// HighestStream is the streaming form of Highest: each Update is amortized O(1) (van Herk and
// Gil-Werman's block maxima on a fixed ring) and allocates nothing.
type HighestStream struct {
	d maxWindow
}

// NewHighest returns a rolling-maximum stream over n bars, or an error wrapping
// ErrInvalidParam unless 1 ≤ n ≤ MaxPeriod.
func NewHighest(n int) (*HighestStream, error) {
	if err := checkPeriod("Highest", "period", n); err != nil {
		return nil, err
	}
	return &HighestStream{d: newMaxWindow(n)}, nil
}

// Lookback returns n-1, as TA-Lib's TA_MAX_Lookback: the first value comes with input number n.
func (s *HighestStream) Lookback() int { return len(s.d.buf) - 1 }

// Reset returns the stream to its newly constructed state without allocating.
func (s *HighestStream) Reset() { s.d.reset() }

// Update adds the next input and returns the largest of the last n inputs. ok is false, and the
// value NaN, during the warm-up; a NaN or ±Inf input is a gap that restarts the warm-up.
func (s *HighestStream) Update(x float64) (value float64, ok bool) {
	if !finite(x) {
		s.Reset()
		return nan, false
	}
	v := s.d.push(x)
	if s.d.seq < len(s.d.buf) {
		return nan, false
	}
	return v, true
}

// LowestStream is the streaming form of Lowest: each Update is amortized O(1) (block maxima
// on a fixed ring) and allocates nothing.
type LowestStream struct {
	d maxWindow // of negated inputs, whose maximum is minus the minimum
}

// NewLowest returns a rolling-minimum stream over n bars, or an error wrapping ErrInvalidParam
// unless 1 ≤ n ≤ MaxPeriod.
func NewLowest(n int) (*LowestStream, error) {
	if err := checkPeriod("Lowest", "period", n); err != nil {
		return nil, err
	}
	return &LowestStream{d: newMaxWindow(n)}, nil
}

// Lookback returns n-1, as TA-Lib's TA_MIN_Lookback: the first value comes with input number n.
func (s *LowestStream) Lookback() int { return len(s.d.buf) - 1 }

// Reset returns the stream to its newly constructed state without allocating.
func (s *LowestStream) Reset() { s.d.reset() }

// Update adds the next input and returns the smallest of the last n inputs. ok is false, and the
// value NaN, during the warm-up; a NaN or ±Inf input is a gap that restarts the warm-up.
func (s *LowestStream) Update(x float64) (value float64, ok bool) {
	if !finite(x) {
		s.Reset()
		return nan, false
	}
	v := -s.d.push(-x) // negation is exact, so this is the minimum bit for bit
	if s.d.seq < len(s.d.buf) {
		return nan, false
	}
	return v, true
}
