package indicator

// maxWindow keeps the maximum of the last n pushed values with the van Herk/Gil-Werman scheme
// on a fixed ring of n values. When the ring wraps, one pass computes the suffix maxima of the n
// values it holds (the block that starts to leave); from then on the maximum of the values
// pushed since the wrap (the block that replaces it) is kept running. The window ending at ring
// position i is the old block from i+1 on and the new block up to i, so its maximum is the larger
// of two numbers already at hand: a push costs two comparisons, plus one pass every n pushes,
// O(1) amortized with no loop whose length depends on the data (a monotonic deque pops a
// data-dependent number of values a push, which the branch predictor cannot follow).
//
// Of equal values the newest is the maximum, which only matters for ±0 (Highest of +0 then −0
// is −0); that is what a monotonic deque that pops values ≤ x gives, so results did not change.
type maxWindow struct {
	buf  []float64 // the last len(buf) values, by ring position
	suf  []float64 // suf[i] = max(buf[i:]) as of the last wrap, ties to the later position
	next int       // ring position of the next push
	pre  float64   // maximum of the values pushed since the last wrap
	seq  int       // pushes since the last reset
}

// newMaxWindow returns an empty window of n values.
func newMaxWindow(n int) maxWindow {
	return maxWindow{buf: make([]float64, n), suf: make([]float64, n)}
}

// reset empties the window without allocating. (suf is not read again before the next wrap
// rewrites it.)
func (m *maxWindow) reset() { m.next, m.seq = 0, 0 }

// push adds x as the newest value and returns the maximum of the last n values pushed (of all
// of them while fewer than n were).
func (m *maxWindow) push(x float64) float64 {
	buf := m.buf
	i := m.next
	buf[i] = x
	if i == 0 || x >= m.pre {
		m.pre = x
	}
	v := m.pre
	m.seq++
	if i+1 < len(buf) {
		// After the first wrap, the old block's values from i+1 on are still in the window.
		if m.seq > len(buf) {
			if s := m.suf[i+1]; s > v {
				v = s
			}
		}
		m.next = i + 1
	} else {
		m.next = 0
		m.suffixes()
	}
	return v
}

// suffixes sets suf from the ring, which holds the last n values in order.
func (m *maxWindow) suffixes() {
	buf := m.buf
	suf := m.suf[:len(buf)]
	s := buf[len(buf)-1]
	for j := len(buf) - 1; j >= 0; j-- {
		if x := buf[j]; x > s {
			s = x
		}
		suf[j] = s
	}
}
