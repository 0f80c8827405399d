package indicator

import "math"

// run writes the stream's value for each of xs to out (len(out) == len(xs)), the same bit for
// bit as Update would. The warm-up, gaps and the first negative input of a plain round go
// through Update; the rest through loops that keep the sums in registers: rounds for whole
// rounds of plain sums, steadyPlain and steady for the rest of a plain or compensated round.
func (s *SMAStream) run(out, xs []float64) {
	out = out[:len(xs)]
	w := &s.w
	var spare [2][]float64 // rounds' other buffers of suffix sums, made on first use
	for i := 0; i < len(xs); {
		j := i
		switch {
		case !w.full():
		case !w.plain:
			j = s.steady(out, xs, i)
		case w.next == 0 && len(xs)-i >= len(w.buf):
			if spare[0] == nil {
				spare = [2][]float64{make([]float64, len(w.buf)+1), make([]float64, len(w.buf)+1)}
			}
			if j = s.rounds(out, xs, i, &spare); j == i {
				j = s.steadyPlain(out, xs, i)
			}
		default:
			j = s.steadyPlain(out, xs, i)
		}
		if j > i {
			i = j
			continue
		}
		out[i], _ = s.Update(xs[i])
		i++
	}
}

// rounds computes whole rounds of a full, plain window that is at the start of a round, straight
// from xs[i:], writing their values to out, and returns the index of the first input it did not
// take. It takes a round only if no window ending in it is flat and every input of it is finite
// and non-negative with a finite sum (clean); otherwise it stops at that round's start, for the
// other loops. A round's inputs are summed backwards into the suffix sums that the next round
// reads (meanWindow.rebuild, which for these inputs is plainSuffixes), checking them on the way,
// and forwards into the prefix sum and the values (push's arithmetic: plainMean). The backward
// pass of the next round runs in the loop of the forward pass of this one, so that the two
// chains of additions overlap; three buffers of suffix sums take turns (w.sufHi and spare).
// No test per input holds up the values, and the ring is copied once, at the end, from the last
// round taken.
func (s *SMAStream) rounds(out, xs []float64, i int, spare *[2][]float64) int {
	w := &s.w
	n := len(w.buf)
	if len(xs)-i < n {
		return i
	}
	prev, cur, ahead := w.sufHi, spare[0], spare[1] // suffix sums of the round before, this one, the next
	in := xs[i : i+n]
	c, clean := flatFree(in, w.run, w.last)
	if clean {
		var sum float64
		sum, clean = checkedSuffixes(cur[:n], in)
		clean = clean && finite(sum)
	}
	if !clean {
		return i
	}
	for {
		run, last := n-c, in[n-1]
		nextClean := false
		var nextIn []float64
		if len(xs)-i >= 2*n {
			nextIn = xs[i+n : i+2*n]
			c, nextClean = flatFree(nextIn, run, last)
		}
		vals, suf := out[i:i+n], prev[1:n+1]
		if nextClean {
			var sum float64
			sum, nextClean = forwardBackward(vals, in, suf, ahead[:n], nextIn, w.invN)
			nextClean = nextClean && finite(sum)
		} else {
			forward(vals, in, suf, w.invN)
		}
		i += n
		prev, cur, ahead = cur, ahead, prev
		w.run, w.last = run, last
		if !nextClean {
			break
		}
		in = nextIn
	}
	copy(w.buf, xs[i-n:i])
	w.sufHi, spare[0], spare[1] = prev, cur, ahead
	return i
}

// flatFree reports whether no window ending in the round in is flat, given the run of equal
// values before it (run inputs equal to last), and if so returns c, the start of the round's
// last run (so the run after it is n-c). The run reaching into the round must end before it
// makes n values, and the round must hold a change after its first input.
func flatFree(in []float64, run int, last float64) (c int, ok bool) {
	n := len(in)
	k := 0
	for k < n && in[k] == last {
		k++
	}
	if run+k >= n {
		return 0, false
	}
	c = n - 1
	for c > 0 && in[c] == in[c-1] {
		c--
	}
	return c, c > 0
}

// checkedSuffixes sets suf[j] = xs[j] + … + xs[n-1] for every j in [0, n), summed backwards as
// plainSuffixes does, and returns the sum of all of xs. ok is false if an input has its sign bit
// set (a negative number, -0, or a NaN so made); another NaN or an infinity makes sum NaN or
// ±Inf. The sign bits are or-ed together rather than tested one by one: a branch per input cost
// the batch 10% of its time.
func checkedSuffixes(suf, xs []float64) (sum float64, ok bool) {
	suf = suf[:len(xs)]
	var signs uint64
	for j := len(xs) - 1; j >= 0; j-- {
		x := xs[j]
		signs |= math.Float64bits(x)
		sum += x
		suf[j] = sum
	}
	return sum, signs>>63 == 0
}

// forward writes to vals the means of a plain round's windows, from its inputs in and the
// previous round's suffix sums suf (suf[k] is the sum of the inputs still in the window after
// in[k]): push's arithmetic, for a round with no flat window.
func forward(vals, in, suf []float64, invN float64) {
	vals, suf = vals[:len(in)], suf[:len(in)]
	var pre float64
	for k, x := range in {
		pre += x
		vals[k] = (pre + suf[k]) * invN
	}
}

// forwardBackward is forward, with checkedSuffixes(next, ahead) (the next round's) in the same
// loop, two inputs of each a turn.
func forwardBackward(vals, in, suf, next, ahead []float64, invN float64) (sum float64, ok bool) {
	n := len(in)
	vals, suf, next, ahead = vals[:n], suf[:n], next[:n], ahead[:n]
	var pre float64
	var signs uint64
	k := 0
	for ; k < n-1; k += 2 {
		x0, x1 := in[k], in[k+1]
		s0, s1 := suf[k], suf[k+1]
		pre += x0
		vals[k] = (pre + s0) * invN
		pre += x1
		vals[k+1] = (pre + s1) * invN
		j := n - 2 - k
		y1, y0 := ahead[j+1], ahead[j]
		signs |= math.Float64bits(y1) | math.Float64bits(y0)
		sum += y1
		next[j+1] = sum
		sum += y0
		next[j] = sum
	}
	if k < n { // n is odd: the first input of ahead, the last of in
		pre += in[k]
		vals[k] = (pre + suf[k]) * invN
		y := ahead[0]
		signs |= math.Float64bits(y)
		sum += y
		next[0] = sum
	}
	return sum, signs>>63 == 0
}

// steadyPlain is push on a full window of a plain round for xs[i:], writing the values to out,
// until a gap, a negative input or the end of the round, and returns the index of the first
// input it did not take. It has the prefix sum, the run and the last value in registers and no
// call in the loop: the same operations in the same order as push, so the values are the same
// bit for bit.
func (s *SMAStream) steadyPlain(out, xs []float64, i int) int {
	w := &s.w
	n := len(w.buf)
	j := w.next
	m := min(len(xs)-i, n-j) // inputs left in this round
	in, vals := xs[i:i+m], out[i:i+m]
	buf, suf := w.buf[j:j+m], w.sufHi[j+1:j+1+m]
	pre, run, last, invN := w.pre, w.run, w.last, w.invN
	k := 0
	for ; k < len(in); k++ {
		x := in[k]
		if !(x >= 0 && x <= math.MaxFloat64) {
			break
		}
		pre += x
		buf[k] = x
		run = nextRun(run, n, x == last)
		last = x
		vals[k] = plainMean(pre, suf[k], invN, run >= n, x)
	}
	w.pre, w.run, w.last, w.next = pre, run, last, j+k
	if j+k == n {
		w.rebuild()
	}
	return i + k
}

// steady is steadyPlain for a compensated round: push on a full window for xs[i:] until a gap or
// the end of the round, with the same operations in the same order.
func (s *SMAStream) steady(out, xs []float64, i int) int {
	w := &s.w
	n := len(w.buf)
	j := w.next
	m := min(len(xs)-i, n-j) // inputs left in this round
	in, vals := xs[i:i+m], out[i:i+m]
	buf, hi, lo := w.buf[j:j+m], w.sufHi[j+1:j+1+m], w.sufLo[j+1:j+1+m]
	pre, preLo, run, last, invN, neg := w.pre, w.preLo, w.run, w.last, w.invN, w.neg
	k := 0
	for ; k < len(in); k++ {
		x := in[k]
		if !finite(x) {
			break
		}
		if x < 0 {
			neg = true
		}
		var e float64
		pre, e = twoSum(pre, x)
		preLo += e
		buf[k] = x
		run = nextRun(run, n, x == last)
		last = x
		vals[k] = windowMean(pre, preLo, hi[k], lo[k], invN, run >= n, x)
	}
	w.pre, w.preLo, w.run, w.last, w.next, w.neg = pre, preLo, run, last, j+k, neg
	if j+k == n {
		w.rebuild()
	}
	return i + k
}
