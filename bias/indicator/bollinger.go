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
	s.run(upper, middle, lower, xs)
	return upper, middle, lower
}

// run writes the stream's bands for each of xs to upper, middle and lower (each of len(xs)).
// The warm-up and gaps go through Update; the steady state is a loop over the window's steps
// (slide, advance, momentsOf, stale, recenter: pushVar's, inlined) and bandOf's arithmetic, the same
// operations in the same order as Update, so the values are the same bit for bit.
func (s *BollingerStream) run(upper, middle, lower, xs []float64) {
	upper, middle, lower = upper[:len(xs)], middle[:len(xs)], lower[:len(xs)]
	w, k := &s.w, s.k
	for i := 0; i < len(xs); i++ {
		if !w.full() {
			b, _ := s.Update(xs[i])
			upper[i], middle[i], lower[i] = b.Upper, b.Middle, b.Lower
			continue
		}
		for ; i < len(xs); i++ {
			x := xs[i]
			if !finite(x) {
				break
			}
			sum, sq := w.slide(x)
			wrapped := w.advance(x)
			dmean, varc := w.momentsOf(sum, sq)
			if wrapped || w.stale(dmean, varc) {
				dmean, varc = w.recenter(wrapped)
			}
			// bandOf, inlined: w.mean() with dmean in a register, and the NaN test on the outer
			// bands only (a NaN middle band makes both NaN).
			m := w.shift + dmean
			if w.flat() {
				m = w.last
			}
			kd := float64(k * math.Sqrt(variance(varc)))
			if u, l := m+kd, m-kd; u == u && l == l {
				upper[i], middle[i], lower[i] = u, m, l
			} else {
				upper[i], middle[i], lower[i] = nan, nan, nan
			}
		}
		if i < len(xs) {
			b, _ := s.Update(xs[i]) // the gap
			upper[i], middle[i], lower[i] = b.Upper, b.Middle, b.Lower
		}
	}
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
	b := s.bandOf(varc)
	return b, b.Middle == b.Middle
}

// bandOf returns the bands of the full window, given its varc from moments: nanBand when any
// of them is NaN, so that the middle band alone says whether the value is defined.
func (s *BollingerStream) bandOf(varc float64) Band {
	m := s.w.mean()
	kd := float64(s.k * math.Sqrt(variance(varc)))
	b := Band{Upper: m + kd, Middle: m, Lower: m - kd}
	if b.Upper != b.Upper || b.Middle != b.Middle || b.Lower != b.Lower {
		return nanBand
	}
	return b
}
