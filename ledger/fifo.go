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
	feesUnknown     bool
}

// takeFIFO matches a sell of out against the oldest lots first.
func (b *book) takeFIFO(out amount, at time.Time) match {
	var m match
	remaining := out
	var first time.Duration
	var weight, dev float64
	n := 0
	for remaining.sign() > 0 && b.head < len(b.lots) {
		lt := &b.lots[b.head]
		held := at.Sub(lt.openedAt)
		var q amount
		if lt.qty.cmp(remaining) <= 0 {
			q = lt.qty
			m.entryFee = m.entryFee.add(lt.fee)
			m.feesUnknown = m.feesUnknown || lt.feesUnknown
			m.cost = m.cost.add(q.mul(lt.price))
			*lt = lot{openedAt: lt.openedAt}
			b.head++
		} else {
			q = remaining
			if !lt.fee.isZero() {
				part := mulDiv(lt.fee, q, lt.qty)
				m.entryFee = m.entryFee.add(part)
				lt.fee = lt.fee.sub(part)
			}
			m.feesUnknown = m.feesUnknown || lt.feesUnknown
			m.cost = m.cost.add(q.mul(lt.price))
			lt.qty = lt.qty.sub(q)
		}
		remaining = remaining.sub(q)
		if n == 0 {
			m.openedAt, first = lt.openedAt, held
		}
		if w := q.float(); n > 0 || remaining.sign() > 0 {
			weight += w
			dev += w * float64(held-first)
		}
		n++
	}
	m.covered = out.sub(remaining)
	m.holding = first
	if n > 1 && weight > 0 {
		m.holding += time.Duration(math.Round(dev / weight))
	}
	switch {
	case b.head == len(b.lots):
		b.lots, b.head = b.lots[:0], 0
	case b.head >= 32 && 2*b.head >= len(b.lots):
		k := copy(b.lots, b.lots[b.head:])
		clear(b.lots[k:])
		b.lots, b.head = b.lots[:k], 0
	}
	return m
}
