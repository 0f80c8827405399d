package indicator

import (
	"fmt"
	"math"
)

// Band is one value of Bollinger Bands: the middle band and the bands k standard deviations
// above and below it. All three fields are NaN when the value is undefined.
type Band struct {
	Upper  float64
	Middle float64
	Lower  float64
}

// nanBand is the undefined Band.
var nanBand = Band{Upper: nan, Middle: nan, Lower: nan}

// Bollinger returns Bollinger Bands of xs over n bars with k standard deviations, as TA-Lib's
// BBANDS with an SMA and nbDevUp = nbDevDn = k: middle = SMA(n), upper and lower = middle ± k·σ,
// where σ is the population standard deviation (divided by n, not n-1) of the same n values.
// Each slice has len(xs) elements, NaN during the warm-up (t < n-1) and around gaps (see the
// package doc); all NaN when n or k is out of range.
//
// σ = 0: when the n values are identical (or differ by less than rounding can show) the three
// bands are equal to the middle band. TA-Lib reads any variance below an absolute 1e-8 as 0;
// this package reads only a variance ≤ 0 as 0, because that tolerance would collapse the bands
// of any coin whose price moves by less than 1e-4.
func Bollinger(xs []float64, n int, k float64) (upper, middle, lower []float64) {
	upper = make([]float64, len(xs))
	middle = make([]float64, len(xs))
	lower = make([]float64, len(xs))
	s, err := NewBollinger(n, k)
	if err != nil {
		fillNaN(upper)
		fillNaN(middle)
		fillNaN(lower)
		return upper, middle, lower
	}
	for i, x := range xs {
		b, _ := s.Update(x)
		upper[i], middle[i], lower[i] = b.Upper, b.Middle, b.Lower
	}
	return upper, middle, lower
}

// BollingerStream is the streaming form of Bollinger: each Update is O(1) and allocates nothing.
type BollingerStream struct {
	w window
	k float64
}

// NewBollinger returns a Bollinger Bands stream over n bars with k standard deviations, or an
// error wrapping ErrInvalidParam unless 1 ≤ n ≤ MaxPeriod and k is finite and ≥ 0.
func NewBollinger(n int, k float64) (*BollingerStream, error) {
	if err := checkPeriod("Bollinger", "period", n); err != nil {
		return nil, err
	}
	if !finite(k) || k < 0 {
		return nil, fmt.Errorf("%w: Bollinger k must be finite and ≥ 0, got %v", ErrInvalidParam, k)
	}
	return &BollingerStream{w: newWindow(n, true), k: k}, nil
}

// Lookback returns n-1, as TA-Lib's TA_BBANDS_Lookback: the first value comes with input
// number n.
func (s *BollingerStream) Lookback() int { return len(s.w.buf) - 1 }

// Reset returns the stream to its newly constructed state without allocating.
func (s *BollingerStream) Reset() { s.w.reset() }

// Update adds the next input and returns the bands over the last n inputs. ok is false, and
// every field NaN, during the warm-up; a NaN or ±Inf input is a gap that restarts the warm-up.
func (s *BollingerStream) Update(x float64) (value Band, ok bool) {
	if !finite(x) {
		s.Reset()
		return nanBand, false
	}
	_, varc, full := s.w.pushVar(x)
	if !full {
		return nanBand, false
	}
	m := s.w.mean()
	kd := float64(s.k * math.Sqrt(variance(varc)))
	b := Band{Upper: m + kd, Middle: m, Lower: m - kd}
	if b.Upper != b.Upper || b.Middle != b.Middle || b.Lower != b.Lower {
		return nanBand, false
	}
	return b, true
}
