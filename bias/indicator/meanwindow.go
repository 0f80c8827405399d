package indicator

// meanWindow holds the last n inputs for their mean (SMA), as two compensated partial sums
// taken afresh every n inputs, so that no rounding outlives a round and each value is one
// addition away from the running sum.
//
// The ring is filled in rounds of n pushes. At the end of a round (the ring wraps), rebuild sums
// the ring backwards into suffix sums: suf[j] = buf[j] + … + buf[n-1], compensated (TwoSum),
// the inputs of the round just ended that are still in the window after j pushes of the next
// round. During a round, the pushes so far are summed forwards into pre, also compensated. The
// window after j pushes is this round's buf[0..j-1] and the previous round's buf[j..n-1], so its
// sum is pre + suf[j]: per input, one TwoSum on a chain of one addition (pre), one addition of
// the suffix, and no subtraction, where a sliding sum would add the input and take the leaving
// one off (two TwoSums on a chain of two additions) and still need a periodic recompute.
//
// Rounding: pre and suf[j] are each a TwoSum pair (sum, accumulated errors), so each holds a sum
// of at most n inputs almost exactly; the mean rounds their sum twice (hi parts, then lo parts)
// and once more by 1/n. A value that enters and leaves (a spike of 1e12 among 1e-3) is in no
// sum once it has left the window: the suffixes after it were summed without it, and the next
// round's prefix starts from 0. Likewise an overflow to ±Inf lasts only while its input is in
// the window.
//
// A run of n identical values is detected exactly: the window is then flat, and its mean is that
// value, without rounding.
//
// The window holds 3n+2 float64s (the ring, the suffix sums and their compensations), allocated
// once by newMeanWindow.
type meanWindow struct {
	buf   []float64 // this round's inputs at [0, next), the previous round's at [next, n)
	sufHi []float64 // len n+1: suffix sums of the previous round, suf[n] = 0
	sufLo []float64 // their compensations
	next  int       // ring position of the next push
	count int       // values held, ≤ n
	pre   float64   // sum of buf[:next] (this round)
	preLo float64   // its compensation
	run   int       // length of the run of equal values ending at the newest, capped at n
	last  float64   // the newest value
	invN  float64   // 1/n
}

// newMeanWindow returns an empty window of n values.
func newMeanWindow(n int) meanWindow {
	return meanWindow{
		buf: make([]float64, n), sufHi: make([]float64, n+1), sufLo: make([]float64, n+1),
		invN: 1 / float64(n),
	}
}

// reset empties the window without allocating. The suffix sums are not cleared: the first round
// after a reset reads only suf[n], which is always 0, and ends with a rebuild.
//
//go:noinline
func (w *meanWindow) reset() {
	*w = meanWindow{buf: w.buf, sufHi: w.sufHi, sufLo: w.sufLo, invN: w.invN}
}

// full reports whether the window holds n values, so that its mean is defined.
func (w *meanWindow) full() bool { return w.count == len(w.buf) }

// push adds x as the newest value, dropping the oldest one when the window is full, and returns
// the mean of the window, or full = false (and NaN) while it holds fewer than n values.
func (w *meanWindow) push(x float64) (mean float64, full bool) {
	n := len(w.buf)
	i := w.next
	pre, e := twoSum(w.pre, x)
	preLo := w.preLo + e
	w.buf[i] = x
	w.run = nextRun(w.run, n, w.count > 0 && x == w.last)
	w.last = x
	if w.count < n {
		w.count++
	}
	i++
	mean = nan
	if full = w.count == n; full {
		mean = windowMean(pre, preLo, w.sufHi[i], w.sufLo[i], w.invN, w.run >= n, x)
	}
	if i == n {
		w.rebuild()
		return mean, full
	}
	w.pre, w.preLo, w.next = pre, preLo, i
	return mean, full
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

// windowMean is the mean of a full window from its prefix sum (pre, preLo) and suffix sum (hi,
// lo): exactly last when the window is flat. It is push's arithmetic, shared with SMA's batch
// loop, which keeps the prefix sum in registers.
func windowMean(pre, preLo, hi, lo, invN float64, flat bool, last float64) float64 {
	if flat {
		return last
	}
	return ((pre + hi) + (preLo + lo)) * invN
}

// rebuild ends a round: it sums the ring backwards into the suffix sums and starts the next
// round's prefix sum at 0.
func (w *meanWindow) rebuild() {
	buf := w.buf
	hi, lo := w.sufHi[:len(buf)], w.sufLo[:len(buf)]
	var s, sLo float64
	for j := len(buf) - 1; j > 0; j-- {
		var e float64
		s, e = twoSum(s, buf[j])
		sLo += e
		hi[j], lo[j] = s, sLo
	}
	w.pre, w.preLo, w.next = 0, 0, 0
}
