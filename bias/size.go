package bias

// sizeWindow holds the notionals of a trader's last n entries in one quote asset, in arrival
// order and sorted, so that the median is read in O(1) and a push costs O(n) moves.
type sizeWindow struct {
	ring   []float64
	next   int
	sorted []float64
}

// sizeWindow returns the entry-size window of the quote asset q.
func (s *scorer) sizeWindow(q string) *sizeWindow {
	w := s.sizes[q]
	if w == nil {
		w = &sizeWindow{ring: make([]float64, 0, s.cfg.BaselineEntries), sorted: make([]float64, 0, s.cfg.BaselineEntries)}
		s.sizes[q] = w
	}
	return w
}

// len returns how many entries the window holds.
func (w *sizeWindow) len() int { return len(w.sorted) }

// median returns the median notional (the mean of the two middle ones for an even count).
func (w *sizeWindow) median() float64 {
	n := len(w.sorted)
	if n%2 == 1 {
		return w.sorted[n/2]
	}
	return (w.sorted[n/2-1] + w.sorted[n/2]) / 2
}

// push adds x, dropping the oldest entry when the window is full.
func (w *sizeWindow) push(x float64) {
	if len(w.ring) < cap(w.ring) {
		w.ring = append(w.ring, x)
	} else {
		old := w.ring[w.next]
		w.ring[w.next] = x
		w.next = (w.next + 1) % len(w.ring)
		i := w.search(old)
		w.sorted = append(w.sorted[:i], w.sorted[i+1:]...)
	}
	i := w.search(x)
	w.sorted = append(w.sorted, 0)
	copy(w.sorted[i+1:], w.sorted[i:])
	w.sorted[i] = x
}

// search returns the first index whose value is ≥ x.
func (w *sizeWindow) search(x float64) int {
	lo, hi := 0, len(w.sorted)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if w.sorted[h] < x {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}
