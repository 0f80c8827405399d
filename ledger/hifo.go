package ledger

// HIFO keeps a symbol's open lots in book.lots as a binary heap whose top is the lot to close
// next: the highest price, and of equal prices the earliest (lowest seq). A buy and a closed lot
// cost O(log n); a partly closed lot keeps its place, since its price does not change.

// before reports whether lot a is closed before lot b under HIFO.
func (a *lot) before(b *lot) bool {
	if c := a.price.cmp(b.price); c != 0 {
		return c > 0
	}
	return a.seq < b.seq
}

// pushHIFO adds a lot to the heap.
func (b *book) pushHIFO(lt lot) {
	b.lots = append(b.lots, lt)
	h := b.lots
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h[i].before(&h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// popHIFO removes the top of the heap.
func (b *book) popHIFO() {
	h := b.lots
	n := len(h) - 1
	h[0] = h[n]
	h[n] = lot{}
	h = h[:n]
	for i := 0; ; {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h[r].before(&h[c]) {
			c = r
		}
		if !h[c].before(&h[i]) {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	b.lots = h
}

// takeHIFO matches a sell against the lots of the highest price first.
func (b *book) takeHIFO(x *matcher) {
	for x.remaining.sign() > 0 && len(b.lots) > 0 {
		if x.take(&b.lots[0], x.remaining) {
			b.popHIFO()
		}
	}
}
