package indicator

import "math"

// window holds the last n inputs in a fixed ring, with running sums from which their mean and
// population variance are read in O(1) and without allocating.
//
// Floating-point drift. Adding each new value and subtracting the one that leaves makes a naive
// running sum drift, a value that enters and leaves (a volume spike of 1e12 among volumes of
// 1e-3) leaves a residue of its rounding, and the textbook variance E[x²]−E[x]² cancels
// catastrophically when the values are large next to their spread (BTC at 60,000 moving by
// cents: E[x²] is 1e13 times the variance). So:
//
//   - A mean-only window (AbnormalVolume) keeps Σx with a compensation term (Knuth's TwoSum):
//     the pair holds the sum almost exactly, so a spike leaves no residue. (SMA has a window of
//     its own, meanWindow, with no running sum at all.)
//   - A window that keeps variance sums d = x − shift and d², where shift is the mean at the last
//     recompute, so E[d²]−E[d]² only cancels at the scale of the spread. These sums are plain:
//     while the mean stays within 32σ of the shift (see stale) their rounding over n updates
//     costs the variance less than about n·2^-43 of itself, under 1e-9 for windows up to ~8,000.
//   - Every n pushes both kinds are recomputed from the ring (with a fresh shift), so no error
//     outlives the window by more than n bars, and neither does an overflow to ±Inf. Amortized,
//     this costs one more pass over each value. A window that keeps variance is also recomputed
//     when its shift has gone stale. The two work together: every value is in the window at
//     one periodic recompute, so an outlier pulls the shift towards itself, and when it leaves,
//     the rounding residue of its d² goes with a stale shift that triggers a recompute. (Less
//     frequent periodic recomputes let such residues through: the property tests fail.)
//
// A run of n identical values is detected exactly: the window is then flat, its mean is that
// value and its variance is 0, without rounding.
type window struct {
	buf     []float64 // the last len(buf) values, oldest at next once full
	next    int       // ring position of the next push
	count   int       // values held, ≤ len(buf)
	squares bool      // whether to keep Σd², needed for variance
	invN    float64   // 1/n
	shift   float64
	sum     float64 // Σx for a mean-only window, Σ(x − shift) for one that keeps variance
	sumErr  float64 // the compensation of sum (mean-only)
	sq      float64 // Σ(x − shift)²
	run     int     // length of the run of equal values ending at the newest, capped at len(buf)
	last    float64 // the newest value
	dmean   float64 // mean − shift, once full (squares only)
	varc    float64 // population variance as computed, possibly a rounding residue below 0
}

// newWindow returns an empty window of n values; squares says whether variance will be read.
func newWindow(n int, squares bool) window {
	return window{buf: make([]float64, n), squares: squares, invN: 1 / float64(n)}
}

// reset empties the window without allocating. It is not inlined: a gap is rare, and inlined
// its struct copy (with a write barrier) would weigh on the frame of every Update.
//
//go:noinline
func (w *window) reset() {
	*w = window{buf: w.buf, squares: w.squares, invN: w.invN}
}

// full reports whether the window holds n values, so that mean and variance are defined.
func (w *window) full() bool { return w.count == len(w.buf) }

// flat reports whether the window is full of identical values.
func (w *window) flat() bool { return w.run >= len(w.buf) }

// push adds x as the newest value, dropping the oldest one when the window is full.
func (w *window) push(x float64) {
	n := len(w.buf)
	if w.count == 0 && w.squares {
		w.shift = x
	}
	if w.squares {
		// Centred sums, plain: see the type's doc for why they need no compensation.
		d := x - w.shift
		if w.count == n {
			old := w.buf[w.next] - w.shift
			w.sum = (w.sum - old) + d
			w.sq = (w.sq - float64(old*old)) + float64(d*d)
		} else {
			w.sum += d
			w.sq += float64(d * d)
			w.count++
		}
	} else {
		var e float64
		w.sum, e = twoSum(w.sum, x)
		w.sumErr += e
		if w.count == n {
			w.sum, e = twoSum(w.sum, -w.buf[w.next])
			w.sumErr += e
		} else {
			w.count++
		}
	}
	if w.count > 1 && x == w.last {
		if w.run < n {
			w.run++
		}
	} else {
		w.run = 1
	}
	w.last = x
	w.buf[w.next] = x
	w.next++
	if w.next == n {
		w.next = 0
		if w.count == n {
			w.recompute()
		}
	}
	if w.squares && w.count == n {
		if w.stale(w.moments()) {
			w.recompute()
			w.moments()
		}
	}
}

// pushSum is push for a mean-only window, and reports whether the window is full. Once the
// window is full it does the same operations in the same order as push, so the results are the
// same bit for bit, without push's tests for the kind of window and the warm-up.
func (w *window) pushSum(x float64) (full bool) {
	buf := w.buf
	n := len(buf)
	if w.count < n {
		w.push(x)
		return w.count == n
	}
	i := w.next
	sum, e1 := twoSum(w.sum, x)
	sum, e2 := twoSum(sum, -buf[i])
	buf[i] = x
	w.sum, w.sumErr = sum, (w.sumErr+e1)+e2
	if x == w.last { // as in pushVar
		if w.run < n {
			w.run++
		}
	} else {
		w.run = 1
	}
	w.last = x
	if i++; i < n {
		w.next = i
	} else {
		w.next = 0
		w.recompute()
	}
	return true
}

// pushVar is push for a window that keeps squares. It reports whether the window is full and,
// if so, returns dmean and varc as moments sets them. Once the window is full it does the same
// operations in the same order as push, so the results are the same bit for bit, without
// push's tests for the kind of window and the warm-up, and with the sums and moments passed in
// registers: the streams that read variance call it on every input, and their time is mostly
// the latency of that chain (return, sums, moments, square root).
func (w *window) pushVar(x float64) (dmean, varc float64, full bool) {
	if w.count < len(w.buf) {
		w.push(x)
		return w.dmean, w.varc, w.count == len(w.buf)
	}
	sum, sq := w.slide(x)
	wrapped := w.advance(x)
	if dmean, varc = w.momentsOf(sum, sq); wrapped || w.stale(dmean, varc) {
		dmean, varc = w.recenter(wrapped)
	}
	return dmean, varc, true
}

// slide and advance are the first steps of pushVar on a full window: slide adds x in place of
// the oldest value and returns the new sums; advance then records x as the newest value and
// reports whether the ring has wrapped (so that a periodic recompute is due). Each is small
// enough to be inlined, so that a stream with work of its own before the window
// (VolatilityStream's log return) can do pushVar's steps in its own frame, without a call:
//
//	sum, sq := w.slide(x)
//	wrapped := w.advance(x)
//	if dmean, varc = w.momentsOf(sum, sq); wrapped || w.stale(dmean, varc) {
//		dmean, varc = w.recenter(wrapped)
//	}
func (w *window) slide(x float64) (sum, sq float64) {
	i := w.next
	d := x - w.shift
	old := w.buf[i] - w.shift
	w.buf[i] = x
	sum, sq = slideSums(w.sum, w.sq, old, d)
	w.sum, w.sq = sum, sq
	return sum, sq
}

// slideSums returns the centred sums Σd and Σd² of a full window after old (centred) leaves it
// and d enters: slide's arithmetic, shared with the batch loops that keep the sums in registers.
// The sums stay in registers for moments, rather than being read back from memory, and the
// leaving value is taken off first, so that the new one is one addition from them.
func slideSums(sum, sq, old, d float64) (float64, float64) {
	return (sum - old) + d, (sq - float64(old*old)) + float64(d*d)
}

// advance is the second step of pushVar on a full window: see slide.
func (w *window) advance(x float64) (wrapped bool) {
	n := len(w.buf)
	if x != w.last { // the window is full, so count > 1 unless n = 1, where run stays 1
		w.run = 1
	} else if w.run < n {
		w.run++
	}
	w.last = x
	if w.next++; w.next < n {
		return false
	}
	w.next = 0
	return true
}

// recenter ends pushVar when the moments from slide's sums are not final: it recomputes the
// sums (the ring has wrapped, or the shift is stale) and returns the moments, recomputing once
// more if a periodic recompute leaves the shift stale, as push does.
func (w *window) recenter(wrapped bool) (dmean, varc float64) {
	w.recompute()
	dmean, varc = w.moments()
	if wrapped && w.stale(dmean, varc) {
		w.recompute()
		dmean, varc = w.moments()
	}
	return dmean, varc
}

// moments sets dmean and varc from the sums of a full window that keeps squares, and returns
// them (so that callers need not read them back from memory).
func (w *window) moments() (dmean, varc float64) { return w.momentsOf(w.sum, w.sq) }

// momentsOf is moments given the window's sum and sq.
func (w *window) momentsOf(sum, sq float64) (dmean, varc float64) {
	if w.flat() {
		w.dmean, w.varc = 0, 0
		return 0, 0
	}
	dmean, varc = centredMoments(sum, sq, w.invN)
	w.dmean, w.varc = dmean, varc
	return dmean, varc
}

// centredMoments returns mean − shift and the population variance as computed (possibly a
// rounding residue below 0) of a window that is not flat, from its centred sums and 1/n:
// momentsOf's arithmetic, shared with the batch loops that keep the sums in registers.
func centredMoments(sum, sq, invN float64) (dmean, varc float64) {
	dmean = float64(sum * invN)
	return dmean, float64(sq*invN) - float64(dmean*dmean)
}

// stale reports whether the shift has fallen so far from the mean, next to the spread, that
// E[d²]−E[d]² would lose more than 10 of its 53 bits: the mean is over 32σ from the shift (and
// the gap is not itself a rounding residue, over 2^-26 of the newest value). That happens when
// an outlier has just left a tight window (a price jump, a bad tick), a few times for each such
// event, so the recomputes it triggers cost O(1) amortized. In a trending market the mean moves
// by a few σ over n bars, and the periodic recompute re-centres the sums first.
func (w *window) stale(dmean, varc float64) bool { return staleAt(dmean, varc, w.last) }

// staleAt is stale given the newest value last.
func staleAt(dmean, varc, last float64) bool {
	mm := float64(dmean * dmean)
	return mm > 0x1p10*varc && math.Abs(dmean) > 0x1p-26*math.Abs(last)
}

// recompute rebuilds the sums from the ring around a shift equal to the current mean.
func (w *window) recompute() {
	var shift float64 // 0 for a mean-only window: see the type's doc
	if w.squares {
		shift = w.shift + float64(w.sum*w.invN)
		if !finite(shift) {
			shift = w.last
		}
	}
	if !w.squares {
		var sum, sumErr, e float64
		for _, x := range w.buf {
			sum, e = twoSum(sum, x)
			sumErr += e
		}
		w.sum, w.sumErr = sum, sumErr
		return
	}
	// Centred values sum with little rounding: the compensation would change nothing here.
	// Two interleaved sums halve the chain of dependent additions, which the next push waits on.
	buf := w.buf
	var sum0, sum1, sq0, sq1 float64
	i := 1
	for ; i < len(buf); i += 2 {
		d0, d1 := buf[i-1]-shift, buf[i]-shift
		sum0 += d0
		sum1 += d1
		sq0 += float64(d0 * d0)
		sq1 += float64(d1 * d1)
	}
	if i == len(buf) {
		d := buf[i-1] - shift
		sum0 += d
		sq0 += float64(d * d)
	}
	w.shift, w.sum, w.sq = shift, sum0+sum1, sq0+sq1
}

// mean returns the mean of a full window; exactly the common value when the window is flat.
func (w *window) mean() float64 {
	if w.flat() {
		return w.last
	}
	if w.squares {
		return w.shift + w.dmean
	}
	return (w.sum + w.sumErr) * w.invN
}

// deviation returns newest − mean of a full window that keeps squares, given its dmean from
// moments, computed on the shifted values so that it does not cancel; exactly 0 when the window
// is flat.
func (w *window) deviation(dmean float64) float64 {
	if w.flat() {
		return 0
	}
	return (w.last - w.shift) - dmean
}

// variance returns the population variance (divided by n) of a full window that keeps squares,
// given its varc from moments: exactly 0 when the window is flat, and never negative (a rounding
// residue below 0 reads as 0).
func variance(varc float64) float64 {
	if varc < 0 {
		return 0
	}
	return varc
}

// twoSum returns a+b rounded, and the rounding error, so that s+e == a+b exactly (Knuth, TAOCP
// vol. 2, §4.2.2). It has no multiplication, so no platform can fuse it into an FMA.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}
