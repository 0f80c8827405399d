package indicator

// deque keeps the maximum of the last n pushed values: a monotonic deque (values decreasing
// from front to back) stored on a fixed ring of n entries. Every value enters once and leaves
// once, so a push is amortized O(1), and the ring never grows: at most n values are in the
// window.
type deque struct {
	ring []entry
	head int // ring position of the front, the window maximum
	size int // entries in the deque
	seq  int // pushes since the last reset; the sequence number of the next push
}

// entry is a value with the sequence number of the push that brought it.
type entry struct {
	v   float64
	seq int
}

// newDeque returns an empty deque for a window of n values.
func newDeque(n int) deque { return deque{ring: make([]entry, n)} }

// reset empties the deque without allocating.
func (d *deque) reset() { d.head, d.size, d.seq = 0, 0, 0 }

// push adds x as the newest value and returns the maximum of the last n values pushed
// (of all of them while fewer than n were).
func (d *deque) push(x float64) float64 {
	n := len(d.ring)
	// The front leaves when it falls out of the window; only the oldest value can, one a push.
	if d.size > 0 && d.ring[d.head].seq <= d.seq-n {
		d.head++
		if d.head == n {
			d.head = 0
		}
		d.size--
	}
	// Values not larger than x can never be the maximum again.
	for d.size > 0 {
		back := d.head + d.size - 1
		if back >= n {
			back -= n
		}
		if d.ring[back].v > x {
			break
		}
		d.size--
	}
	at := d.head + d.size
	if at >= n {
		at -= n
	}
	d.ring[at] = entry{v: x, seq: d.seq}
	d.size++
	d.seq++
	return d.ring[d.head].v
}
