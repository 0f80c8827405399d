package indicator

// meanWindow holds the last n inputs for their mean (SMA), as two partial sums taken afresh
// every n inputs, so that no rounding outlives a round and each value is one addition away from
// the running sum.
//
// The ring is filled in rounds of n pushes. At the end of a round (the ring wraps), rebuild sums
// the ring backwards into suffix sums: suf[j] = buf[j] + … + buf[n-1], the inputs of the round
// just ended that are still in the window after j pushes of the next round. During a round, the
// pushes so far are summed forwards into pre. The window after j pushes is this round's
// buf[0..j-1] and the previous round's buf[j..n-1], so its sum is pre + suf[j]: per input, one
// addition on a chain of one addition (pre), one addition of the suffix, and no subtraction,
// where a sliding sum would add the input and take the leaving one off and still need a
// periodic recompute. A value that enters and leaves (a spike of 1e12 among 1e-3) is in no sum
// once it has left the window: the suffixes after it were summed without it, and the next
// round's prefix starts from 0. Likewise an overflow to ±Inf lasts only while its input is in
// the window.
//
// Two kinds of sums, chosen per round (see plain):
//
//   - Plain sums, while neither this round's inputs so far nor the previous round's are
//     negative, and n ≤ plainMaxPeriod. Summing non-negative numbers cannot cancel: pre + suf[j]
//     is n inputs summed with at most n-1 roundings, a relative error of at most (n-1)·2⁻⁵³ (to
//     first order), and the mean, after that sum, 1/n and the product, at most (n+2)·2⁻⁵³:
//     3.6e-15 for n = 30, 1.2e-13 for n = plainMaxPeriod.
//   - Compensated sums otherwise: pre and suf[j] are each a TwoSum pair (sum, accumulated
//     errors), so each holds a sum of at most n inputs almost exactly, whatever the signs; the
//     mean rounds their sum twice (hi parts, then lo parts) and once more by 1/n. When the first
//     negative input of a round arrives in plain mode, compensate re-sums this round's inputs so
//     far and the previous round's still in the window, compensated, so that from then on the
//     values are those a compensated window would give (amortized O(1): once a round).
//
// A run of n identical values is detected exactly: the window is then flat, and its mean is that
// value, without rounding.
//
// The window holds 3n+2 float64s (the ring, the suffix sums and their compensations), allocated
// once by newMeanWindow.
type meanWindow struct {
	buf   []float64 // this round's inputs at [0, next), the previous round's at [next, n)
	sufHi []float64 // len n+1: suffix sums of the previous round, suf[n] = 0
	sufLo []float64 // their compensations (compensated rounds only)
	next  int       // ring position of the next push
	count int       // values held, ≤ n
	pre   float64   // sum of buf[:next] (this round)
	preLo float64   // its compensation (compensated rounds only)
	run   int       // length of the run of equal values ending at the newest, capped at n
	last  float64   // the newest value
	invN  float64   // 1/n
	plain bool      // pre and sufHi are plain sums: see the type's doc
	neg   bool      // an input of this round was negative, so its suffix sums will be compensated
}

// plainMaxPeriod is the longest window whose non-negative inputs are summed plainly (see
// meanWindow): its values are then within 1.2e-13 (relative) of the exact mean.
const plainMaxPeriod = 1024

// newMeanWindow returns an empty window of n values.
func newMeanWindow(n int) meanWindow {
	return meanWindow{
		buf: make([]float64, n), sufHi: make([]float64, n+1), sufLo: make([]float64, n+1),
		invN: 1 / float64(n), plain: n <= plainMaxPeriod,
	}
}

// reset empties the window without allocating. The suffix sums are not cleared: the first round
// after a reset reads only suf[n], which is always 0, and ends with a rebuild.
//
//go:noinline
func (w *meanWindow) reset() {
	*w = meanWindow{buf: w.buf, sufHi: w.sufHi, sufLo: w.sufLo, invN: w.invN, plain: len(w.buf) <= plainMaxPeriod}
}

// full reports whether the window holds n values, so that its mean is defined.
func (w *meanWindow) full() bool { return w.count == len(w.buf) }

// push adds x (finite) as the newest value, dropping the oldest one when the window is full, and
// returns the mean of the window, or full = false (and NaN) while it holds fewer than n values.
func (w *meanWindow) push(x float64) (mean float64, full bool) {
	n := len(w.buf)
	i := w.next
	if x < 0 {
		w.neg = true
		if w.plain {
			w.compensate(i)
		}
	}
	var pre, preLo float64
	if w.plain {
		pre = w.pre + x
	} else {
		var e float64
		pre, e = twoSum(w.pre, x)
		preLo = w.preLo + e
	}
	w.buf[i] = x
	w.run = nextRun(w.run, n, w.count > 0 && x == w.last)
	w.last = x
	if w.count < n {
		w.count++
	}
	i++
	mean = nan
	if full = w.count == n; full {
		if w.plain {
			mean = plainMean(pre, w.sufHi[i], w.invN, w.run >= n, x)
		} else {
			mean = windowMean(pre, preLo, w.sufHi[i], w.sufLo[i], w.invN, w.run >= n, x)
		}
	}
	if i == n {
		w.rebuild()
		return mean, full
	}
	w.pre, w.preLo, w.next = pre, preLo, i
	return mean, full
}

// compensate turns a plain round into a compensated one before the push at ring position i:
// it sums this round's inputs so far (buf[:i]) and, once the window has been full, the previous
// round's inputs still in the window after this push (buf[i+1:]) as a compensated round would
// have, so that the values from this push on are the same bit for bit.
func (w *meanWindow) compensate(i int) {
	var pre, preLo float64
	for _, x := range w.buf[:i] {
		var e float64
		pre, e = twoSum(pre, x)
		preLo += e
	}
	w.pre, w.preLo = pre, preLo
	if w.count == len(w.buf) {
		w.sumSuffixes(i + 1)
	}
	w.plain = false
}

// nextRun returns the length of the run of equal values after a push, given the length before
// it, capped at n; same says whether the pushed value equals the newest one before it.
func nextRun(run, n int, same bool) int {
	if !same {
		return 1
	}
	if run < n {
		run++
	}
	return run
}

// plainMean is the mean of a full window of a plain round from its prefix sum pre and suffix sum
// suf: exactly last when the window is flat. It is push's arithmetic, shared with SMA's batch
// loops, which keep the prefix sum in registers.
func plainMean(pre, suf, invN float64, flat bool, last float64) float64 {
	if flat {
		return last
	}
	return (pre + suf) * invN
}

// windowMean is the mean of a full window of a compensated round from its prefix sum (pre,
// preLo) and suffix sum (hi, lo): exactly last when the window is flat. It is push's arithmetic,
// shared with SMA's batch loop, which keeps the prefix sum in registers.
func windowMean(pre, preLo, hi, lo, invN float64, flat bool, last float64) float64 {
	if flat {
		return last
	}
	return ((pre + hi) + (preLo + lo)) * invN
}

// rebuild ends a round: it sums the ring backwards into the suffix sums, plainly if no input of
// the round was negative (and n ≤ plainMaxPeriod), compensated otherwise, and starts the next
// round's prefix sum at 0, in the same mode.
func (w *meanWindow) rebuild() {
	w.plain = !w.neg && len(w.buf) <= plainMaxPeriod
	if w.plain {
		plainSuffixes(w.sufHi, w.buf)
	} else {
		w.sumSuffixes(1)
	}
	w.pre, w.preLo, w.next, w.neg = 0, 0, 0, false
}

// plainSuffixes sets suf[j] = xs[j] + … + xs[n-1] for j in [1, n), summed backwards, as plain
// sums (n = len(xs), len(suf) = n+1). SMA's batch loop does the same over the input slice.
func plainSuffixes(suf, xs []float64) {
	suf = suf[:len(xs)]
	var s float64
	for j := len(xs) - 1; j > 0; j-- {
		s += xs[j]
		suf[j] = s
	}
}

// sumSuffixes sets the compensated suffix sums (sufHi[j], sufLo[j]) of the ring for j in
// [from, n), summing backwards from buf[n-1]; those of j < from are left as they are.
func (w *meanWindow) sumSuffixes(from int) {
	buf := w.buf
	hi, lo := w.sufHi[:len(buf)], w.sufLo[:len(buf)]
	var s, sLo float64
	for j := len(buf) - 1; j >= from && j > 0; j-- {
		var e float64
		s, e = twoSum(s, buf[j])
		sLo += e
		hi[j], lo[j] = s, sLo
	}
}
