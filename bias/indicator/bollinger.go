package indicator

import "math"

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
// The warm-up and gaps go through Update, the steady state through steady.
func (s *BollingerStream) run(upper, middle, lower, xs []float64) {
	upper, middle, lower = upper[:len(xs)], middle[:len(xs)], lower[:len(xs)]
	for i := 0; i < len(xs); {
		if s.w.full() && finite(xs[i]) {
			i = s.steady(upper, middle, lower, xs, i)
			continue
		}
		b, _ := s.Update(xs[i])
		upper[i], middle[i], lower[i] = b.Upper, b.Middle, b.Lower
		i++
	}
}

// steady is Update on a full window for xs[i:], writing the bands, until a gap (it returns its
// index) or a recompute (it does the recompute, writes that input's bands and returns the index
// after it). It is pushVar's full-window path and bandOf's arithmetic in one loop, with the
// window's sums, shift, run and ring position in registers rather than read back from memory
// on every input (which put a store-to-load round trip on the chain from one sum to the next),
// and no call in the loop, so that nothing is spilled: the same operations in the same order,
// over the same shared steps (slideSums, centredMoments, staleAt, recenter), so the values
// are the same bit for bit.
func (s *BollingerStream) steady(upper, middle, lower, xs []float64, i int) int {
	w, k := &s.w, s.k
	buf := w.buf
	n := len(buf)
	shift, sum, sq, run, last, next := w.shift, w.sum, w.sq, w.run, w.last, w.next
	invN := w.invN
	var dmean, varc float64
	recompute, wrapped := false, false
	for ; i < len(xs); i++ {
		x := xs[i]
		if !finite(x) {
			break
		}
		// slide
		d := x - shift
		old := buf[next] - shift
		buf[next] = x
		sum, sq = slideSums(sum, sq, old, d)
		// advance
		if x != last {
			run = 1
		} else if run < n {
			run++
		}
		last = x
		if next++; next == n {
			next, wrapped = 0, true
		}
		// momentsOf, stale
		flat := run >= n
		if flat {
			dmean, varc = 0, 0
		} else {
			dmean, varc = centredMoments(sum, sq, invN)
		}
		if wrapped || staleAt(dmean, varc, last) {
			recompute = true
			break
		}
		bandsAt(upper, middle, lower, i, k, shift+dmean, flat, last, varc)
	}
	w.shift, w.sum, w.sq, w.run, w.last, w.next = shift, sum, sq, run, last, next
	w.dmean, w.varc = dmean, varc
	if !recompute {
		return i
	}
	_, varc = w.recenter(wrapped)
	bandsAt(upper, middle, lower, i, k, w.shift+w.dmean, w.flat(), w.last, varc)
	return i + 1
}

// bandsAt writes the bands of input i given the window's mean as shift+dmean (or last when the
// window is flat) and its varc: bandOf's arithmetic, with the NaN test on the outer bands only
// (a NaN middle band makes both NaN).
func bandsAt(upper, middle, lower []float64, i int, k, m float64, flat bool, last, varc float64) {
	if flat {
		m = last
	}
	kd := float64(k * math.Sqrt(variance(varc)))
	if u, l := m+kd, m-kd; u == u && l == l {
		upper[i], middle[i], lower[i] = u, m, l
	} else {
		upper[i], middle[i], lower[i] = nan, nan, nan
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
		return nil, invalidParam("Bollinger k must be finite and ≥ 0, got %v", k)
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
