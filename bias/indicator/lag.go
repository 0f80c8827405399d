package indicator

// lag is a fixed ring that gives back the value pushed k pushes earlier.
type lag struct {
	buf   []float64
	next  int
	count int // values held, ≤ len(buf)
}

// push stores x and returns the value pushed len(buf) pushes earlier, with ok false while fewer
// than len(buf) values came before x.
func (l *lag) push(x float64) (old float64, ok bool) {
	old, ok = l.buf[l.next], l.count == len(l.buf)
	if !ok {
		l.count++
	}
	l.buf[l.next] = x
	l.next++
	if l.next == len(l.buf) {
		l.next = 0
	}
	return old, ok
}

// reset empties the ring without allocating.
func (l *lag) reset() { l.next, l.count = 0, 0 }
