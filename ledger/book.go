package ledger

import (
	"slices"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// applier runs one Apply: the books of every symbol seen so far and the result being built.
type applier struct {
	l     *Ledger
	r     *Result
	books map[coach.Symbol]*book
	last  *book     // the book of the previous fill: consecutive fills often share a symbol
	spec  *specific // SpecificID with a Selection; nil otherwise
	seq   int       // lots opened so far
}

// book is the open position of one symbol: its lots, or a pool (AverageCost).
type book struct {
	sym         coach.Symbol
	base, quote string
	err         error // the symbol is not canonical: every fill of it is skipped
	// lots are the open lots. FIFO and SpecificID: oldest first from head (SpecificID leaves a
	// lot it closes out of order in place, with zero qty); LIFO: oldest first, taken from the
	// end; HIFO: a heap (see hifo.go).
	lots    []lot
	head    int
	dropped int  // lots removed from the front of lots so far (SpecificID's positions count them)
	pool    pool // AverageCost
}

// match is what one sell took out of a book.
type match struct {
	covered, cost, entryFee amount
	openedAt                time.Time
	holding                 time.Duration
	feesUnknown             bool
}

func (a *applier) book(sym coach.Symbol) *book {
	if a.last != nil && a.last.sym == sym {
		return a.last
	}
	b := a.books[sym]
	if b == nil {
		b = &book{sym: sym, base: sym.Base(), quote: sym.Quote()}
		if !sym.Valid() {
			b.err = coach.Errorf(coach.EINVALID, "symbol: %q is not BASE-QUOTE", clip(string(sym), 40))
		}
		a.books[sym] = b
	}
	a.last = b
	return b
}

// apply takes one fill into its book.
func (a *applier) apply(t *coach.Trade) {
	if a.spec != nil && t.Side == coach.Buy {
		a.spec.reached(t)
	}
	b := a.book(t.Symbol)
	if b.err != nil {
		a.fail(t, true, coach.Errorf(coach.EINVALID, "trade %s: %s", clip(t.Ref(), 64), coach.ErrorMessage(b.err)))
		return
	}
	qty, price, err := checkFill(t)
	if err != nil {
		a.fail(t, true, err)
		return
	}
	f, skip, err := a.fee(t, b, qty, price)
	if err != nil {
		a.fail(t, skip, err)
		if skip {
			return
		}
	}
	if !t.Fee.Valid {
		a.r.UnknownFees = append(a.r.UnknownFees, t.Ref())
	}
	if t.Side == coach.Buy {
		held := qty
		if f.inBase {
			held = qty.sub(f.base)
		}
		if a.l.Method == AverageCost {
			b.pool.add(held, price, f, t.TS)
			return
		}
		lt := lot{qty: held, price: price, fee: f.quote, openedAt: t.TS, tradeID: t.Ref(), seq: a.seq, feesUnknown: f.unknown}
		a.seq++
		if a.l.Method == HIFO {
			b.pushHIFO(lt)
			return
		}
		if a.spec != nil {
			a.spec.opened(t, b.dropped+len(b.lots))
		}
		b.lots = append(b.lots, lt)
		return
	}
	out := qty
	if f.inBase {
		out = qty.add(f.base)
	}
	if a.l.Method == AverageCost {
		a.record(t, out, price, f, b.pool.take(out, t.TS))
		return
	}
	x := newMatcher(out, t.TS)
	switch a.l.Method {
	case LIFO:
		b.takeLIFO(&x)
	case HIFO:
		b.takeHIFO(&x)
	default: // FIFO, SpecificID
		if a.spec != nil {
			if err := a.spec.take(t, b, &x); err != nil {
				a.fail(t, false, err)
			}
		}
		b.takeFIFO(&x)
	}
	a.record(t, out, price, f, x.done())
}

// checkFill returns t's quantity and price, or reports the first field of t the ledger cannot
// work with.
func checkFill(t *coach.Trade) (qty, price amount, err error) {
	qty, qtyOK := checkedAmount(t.Qty)
	price, priceOK := checkedAmount(t.Price)
	switch {
	case t.Side != coach.Buy && t.Side != coach.Sell:
		err = coach.Errorf(coach.EINVALID, "trade %s: side: want BUY or SELL", clip(t.Ref(), 64))
	case !qtyOK || qty.sign() <= 0:
		err = coach.Errorf(coach.EINVALID, "trade %s: qty: must be a positive amount, got %s", clip(t.Ref(), 64), amountText(t.Qty))
	case !priceOK || price.sign() <= 0:
		err = coach.Errorf(coach.EINVALID, "trade %s: price: must be a positive amount, got %s", clip(t.Ref(), 64), amountText(t.Price))
	}
	return qty, price, err
}

// fail records a fill the ledger could not take in full.
func (a *applier) fail(t *coach.Trade, skipped bool, err error) {
	a.r.Errors = append(a.r.Errors, TradeError{TradeID: t.Ref(), Symbol: t.Symbol, Skipped: skipped, Err: err})
}

// record reports a sell: the covered part as Realized, any excess as Uncovered.
func (a *applier) record(t *coach.Trade, out, price amount, f fillFee, m match) {
	remaining := out.sub(m.covered)
	exitFee := f.quote
	if remaining.sign() > 0 && !f.quote.isZero() {
		exitFee = mulDiv(f.quote, m.covered, out)
	}
	if m.covered.sign() > 0 {
		proceeds := m.covered.mul(price)
		fees := m.entryFee.add(exitFee)
		if a.l.Brief != nil {
			a.l.Brief(RealizedBrief{
				TradeID: t.Ref(), Symbol: t.Symbol, ClosedAt: t.TS, OpenedAt: m.openedAt, HoldingPeriod: m.holding,
				Qty: m.covered.nearest(), Price: price.nearest(), Proceeds: proceeds.nearest(), CostBasis: m.cost.nearest(),
				Fees: fees.nearest(), PnL: proceeds.sub(m.cost).sub(fees).nearest(), FeesUnknown: f.unknown || m.feesUnknown,
			})
		} else {
			qty := t.Qty
			if remaining.sign() > 0 || f.inBase {
				qty = m.covered.dec()
			}
			// Filled in place: a Realized is large, and copying one into the slice while the
			// garbage collector runs costs a bulk write barrier.
			n := len(a.r.Realized)
			if n == cap(a.r.Realized) {
				a.r.Realized = append(a.r.Realized, Realized{})
			} else {
				a.r.Realized = a.r.Realized[:n+1]
			}
			x := &a.r.Realized[n]
			x.TradeID = t.Ref()
			x.Symbol = t.Symbol
			x.ClosedAt = t.TS
			x.OpenedAt = m.openedAt
			x.HoldingPeriod = m.holding
			x.Qty = qty
			x.Price = t.Price
			x.Proceeds = proceeds.dec()
			x.CostBasis = m.cost.dec()
			x.Fees = fees.dec()
			x.PnL = proceeds.sub(m.cost).sub(fees).dec()
			x.FeesUnknown = f.unknown || m.feesUnknown
		}
	}
	if remaining.sign() > 0 {
		a.r.Uncovered = append(a.r.Uncovered, Uncovered{
			TradeID:     t.Ref(),
			Symbol:      t.Symbol,
			At:          t.TS,
			Qty:         remaining.dec(),
			Price:       t.Price,
			Proceeds:    remaining.mul(price).dec(),
			Fees:        f.quote.sub(exitFee).dec(),
			FeesUnknown: f.unknown,
		})
	}
}

// closeBooks reports the open lots, by symbol.
func (a *applier) closeBooks() {
	books := make([]*book, 0, len(a.books))
	for _, b := range a.books {
		books = append(books, b)
	}
	slices.SortFunc(books, func(x, y *book) int { return strings.Compare(string(x.sym), string(y.sym)) })
	for _, b := range books {
		open := b.lots[b.head:]
		if a.l.Method == HIFO {
			slices.SortFunc(open, func(x, y lot) int { return x.seq - y.seq })
		}
		for _, lt := range open {
			if lt.qty.isZero() {
				continue // closed out of order by SpecificID
			}
			a.r.Lots = append(a.r.Lots, Lot{
				Symbol:      b.sym,
				TradeID:     lt.tradeID,
				OpenedAt:    lt.openedAt,
				Qty:         lt.qty.dec(),
				Price:       lt.price.dec(),
				CostBasis:   lt.qty.mul(lt.price).dec(),
				Fees:        lt.fee.dec(),
				FeesUnknown: lt.feesUnknown,
			})
		}
		if p := b.pool; p.qty.sign() > 0 {
			a.r.Lots = append(a.r.Lots, Lot{
				Symbol:      b.sym,
				OpenedAt:    p.openedAt,
				Qty:         p.qty.dec(),
				Price:       mulDiv(p.cost, amount{m: 1}, p.qty).dec(),
				CostBasis:   p.cost.dec(),
				Fees:        p.fee.dec(),
				FeesUnknown: p.feesUnknown,
			})
		}
	}
}
