package ledger

import (
	"math"
	"time"
)

// lot is the open remainder of one buy.
type lot struct {
	qty, price, fee amount // fee: the entry fee not yet allocated, in the quote asset
	openedAt        time.Time
	tradeID         string
	seq             int // the buy's place among the fills taken, in the ledger's order
	feesUnknown     bool
}

// matcher builds the match of one sell as it takes quantity from lots, in any order.
type matcher struct {
	m         match
	at        time.Time // the sell's TS
	out       amount    // the quantity the sell takes out of the position
	remaining amount    // the part of out not matched yet
	first     time.Duration
	weight    float64 // matched quantity after the first part, as float64
	dev       float64 // Σ quantity × (holding − first), as float64
	n         int     // lot parts matched
}

func newMatcher(out amount, at time.Time) matcher {
	return matcher{at: at, out: out, remaining: out}
}

// take matches up to want (at most the unmatched remainder of the sell) from lt, and reports
// whether that closed lt. A closed lot keeps only its openedAt and seq; its entry fee is
// allocated in full, so the last part of a lot takes the remainder of its fee.
func (x *matcher) take(lt *lot, want amount) (closed bool) {
	want = minAmount(want, x.remaining)
	held := x.at.Sub(lt.openedAt)
	var q amount
	if lt.qty.cmp(want) <= 0 {
		q = lt.qty
		x.m.entryFee = x.m.entryFee.add(lt.fee)
		x.m.feesUnknown = x.m.feesUnknown || lt.feesUnknown
		x.m.cost = x.m.cost.add(q.mul(lt.price))
		*lt = lot{openedAt: lt.openedAt, seq: lt.seq}
		closed = true
	} else {
		q = want
		if !lt.fee.isZero() {
			part := mulDiv(lt.fee, q, lt.qty)
			x.m.entryFee = x.m.entryFee.add(part)
			lt.fee = lt.fee.sub(part)
		}
		x.m.feesUnknown = x.m.feesUnknown || lt.feesUnknown
		x.m.cost = x.m.cost.add(q.mul(lt.price))
		lt.qty = lt.qty.sub(q)
	}
	x.remaining = x.remaining.sub(q)
	if x.n == 0 {
		x.m.openedAt, x.first = lt.openedAt, held
	} else if lt.openedAt.Before(x.m.openedAt) {
		x.m.openedAt = lt.openedAt
	}
	// The holding period is the quantity-weighted mean over the parts, computed relative to
	// the first part; a sell matched by a single part needs no floating point at all.
	if w := q.float(); x.n > 0 || x.remaining.sign() > 0 {
		x.weight += w
		x.dev += w * float64(held-x.first)
	}
	x.n++
	return closed
}

// done returns the match: what the sell took, from which lots, held how long.
func (x *matcher) done() match {
	x.m.covered = x.out.sub(x.remaining)
	x.m.holding = x.first
	if x.n > 1 && x.weight > 0 {
		x.m.holding += time.Duration(math.Round(x.dev / x.weight))
	}
	return x.m
}

// takeFIFO matches the rest of a sell against the oldest lots first, passing over lots that
// specific identification closed out of order.
func (b *book) takeFIFO(x *matcher) {
	for x.remaining.sign() > 0 && b.head < len(b.lots) {
		lt := &b.lots[b.head]
		if lt.qty.isZero() || x.take(lt, x.remaining) {
			b.head++
		}
	}
	for b.head < len(b.lots) && b.lots[b.head].qty.isZero() {
		b.head++
	}
	switch {
	case b.head == len(b.lots):
		b.dropped += len(b.lots)
		b.lots, b.head = b.lots[:0], 0
	case b.head >= 32 && 2*b.head >= len(b.lots):
		k := copy(b.lots, b.lots[b.head:])
		clear(b.lots[k:])
		b.dropped += b.head
		b.lots, b.head = b.lots[:k], 0
	}
}

// takeLIFO matches a sell against the newest lots first.
func (b *book) takeLIFO(x *matcher) {
	for x.remaining.sign() > 0 && len(b.lots) > 0 {
		n := len(b.lots) - 1
		if x.take(&b.lots[n], x.remaining) {
			b.lots[n] = lot{}
			b.lots = b.lots[:n]
		}
	}
}
