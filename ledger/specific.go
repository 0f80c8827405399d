package ledger

import (
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// LotPick names a quantity of one open lot for a sell to close (specific identification).
type LotPick struct {
	// TradeID identifies the lot by the buy that opened it: its ID (its ExtID while it has no
	// ID), as Lot.TradeID reports it.
	TradeID string
	// Qty is the base quantity to close from that lot; it must be positive.
	Qty decimal.Decimal
}

// Selection names, for each sell that the caller wants matched by specific identification, the
// lots it closes: the sell's ID (its ExtID while it has no ID) maps to its picks, taken in the
// order given. Only the SpecificID method reads it.
//
// A sell's picks are all taken or none is. They must name open lots of the sell's symbol, opened
// by a buy taken before the sell in the ledger's order, no more of a lot than it holds at that
// moment, and no more in all than the sell takes out of the position (its Qty, plus its fee when
// that is charged in the base asset). The part of the sell the picks leave unnamed is matched
// FIFO, and any part beyond the holdings is Uncovered, as with every method; so a sell without
// picks is matched FIFO. When a sell's picks break a rule, the whole sell is matched FIFO and
// Result.Errors says which pick is wrong (Skipped false), so quantities stay right while the
// selection is fixed.
type Selection map[string][]LotPick

// pick is a LotPick with its quantity checked.
type pick struct {
	tradeID string
	qty     amount
}

// buyState is what the ledger knows of a buy that a pick may name.
type buyState struct {
	sym  coach.Symbol
	seen bool // Apply has reached the buy in the ledger's order
	open bool // the buy opened a lot at pos
	dup  bool // more than one buy has this ID
	pos  int  // the lot's position in its book, counting lots compaction dropped
}

// specific is the state of SpecificID in one Apply.
type specific struct {
	picks map[string][]pick    // by sell ID
	buys  map[string]*buyState // by buy ID
}

// newSpecific checks sel against fills: every pick must have a lot ID and a positive quantity,
// and every sell ID must name exactly one sell among fills. It returns nil for an empty sel.
func newSpecific(sel Selection, fills []coach.Trade) (*specific, error) {
	if len(sel) == 0 {
		return nil, nil
	}
	s := &specific{picks: make(map[string][]pick, len(sel)), buys: make(map[string]*buyState)}
	for sellID, picks := range sel {
		ps := make([]pick, len(picks))
		for i, p := range picks {
			q, ok := checkedAmount(p.Qty)
			switch {
			case p.TradeID == "":
				return nil, coach.Errorf(coach.EINVALID, "selection: sell %s: pick %d: lot trade ID required", clip(sellID, 64), i+1)
			case !ok || q.sign() <= 0:
				return nil, coach.Errorf(coach.EINVALID, "selection: sell %s: pick %d: qty must be a positive amount, got %s", clip(sellID, 64), i+1, amountText(p.Qty))
			}
			ps[i] = pick{tradeID: p.TradeID, qty: q}
		}
		s.picks[sellID] = ps
	}
	found := make(map[string]int, len(sel))
	for i := range fills {
		t := &fills[i]
		ref := t.Ref()
		switch t.Side {
		case coach.Sell:
			if _, ok := sel[ref]; ok {
				found[ref]++
			}
		case coach.Buy:
			if b := s.buys[ref]; b != nil {
				b.dup = true
			} else {
				s.buys[ref] = &buyState{sym: t.Symbol}
			}
		}
	}
	for sellID := range sel {
		switch found[sellID] {
		case 0:
			return nil, coach.Errorf(coach.EINVALID, "selection: %s names no sell among the fills", clip(sellID, 64))
		case 1:
		default:
			return nil, coach.Errorf(coach.EINVALID, "selection: %s names %d sells", clip(sellID, 64), found[sellID])
		}
	}
	return s, nil
}

// opened records that buy t opened the lot at pos of its book.
func (s *specific) opened(t *coach.Trade, pos int) {
	if b := s.buys[t.Ref()]; b != nil && !b.dup {
		b.open, b.pos = true, pos
	}
}

// reached records that Apply has reached buy t, whether or not it could take it.
func (s *specific) reached(t *coach.Trade) {
	if b := s.buys[t.Ref()]; b != nil {
		b.seen = true
	}
}

// take matches sell t's picks from b, all or none: it returns an EINVALID error naming the first
// pick that breaks a rule of Selection, and then takes nothing.
func (s *specific) take(t *coach.Trade, b *book, x *matcher) error {
	picks, ok := s.picks[t.Ref()]
	if !ok {
		return nil
	}
	lots := make([]*lot, len(picks))
	var total amount
	for i, p := range picks {
		lt, err := s.lot(t, b, p.tradeID)
		if err != nil {
			return err
		}
		want := p.qty
		for j := range i {
			if lots[j] == lt {
				want = want.add(picks[j].qty)
			}
		}
		if want.cmp(lt.qty) > 0 {
			return coach.Errorf(coach.EINVALID, "trade %s: selection: picks %s of lot %s, which holds %s",
				clip(t.Ref(), 64), want.dec(), clip(p.tradeID, 64), lt.qty.dec())
		}
		lots[i] = lt
		total = total.add(p.qty)
	}
	if total.cmp(x.out) > 0 {
		return coach.Errorf(coach.EINVALID, "trade %s: selection: picks %s in all, more than the %s the sell takes out",
			clip(t.Ref(), 64), total.dec(), x.out.dec())
	}
	for i, p := range picks {
		x.take(lots[i], p.qty)
	}
	return nil
}

// lot returns the open lot of b that buy tradeID opened, or an EINVALID error saying why sell t
// cannot close it.
func (s *specific) lot(t *coach.Trade, b *book, tradeID string) (*lot, error) {
	ref, id := clip(t.Ref(), 64), clip(tradeID, 64)
	bs := s.buys[tradeID]
	switch {
	case bs == nil:
		return nil, coach.Errorf(coach.EINVALID, "trade %s: selection: lot %s: no buy has that ID", ref, id)
	case bs.dup:
		return nil, coach.Errorf(coach.EINVALID, "trade %s: selection: lot %s: more than one buy has that ID", ref, id)
	case bs.sym != t.Symbol:
		return nil, coach.Errorf(coach.EINVALID, "trade %s: selection: lot %s is a lot of %s, not %s", ref, id, clip(string(bs.sym), 40), clip(string(t.Symbol), 40))
	case !bs.seen:
		return nil, coach.Errorf(coach.EINVALID, "trade %s: selection: lot %s opens after this sell", ref, id)
	case !bs.open:
		return nil, coach.Errorf(coach.EINVALID, "trade %s: selection: lot %s: its buy was not taken (see its error)", ref, id)
	}
	if i := bs.pos - b.dropped; i >= b.head && i < len(b.lots) && b.lots[i].qty.sign() > 0 {
		return &b.lots[i], nil
	}
	return nil, coach.Errorf(coach.EINVALID, "trade %s: selection: lot %s is already closed", ref, id)
}
