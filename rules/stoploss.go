package rules

import (
	"time"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
)

// lot is the part of one buy still held, matched FIFO as the ledger does: a buy holds its Qty
// less a fee charged in the base asset, and a sell takes its Qty plus such a fee. Quantities
// are floats: they only tell when a lot is sold, and the dust margin (a thousandth of the lot)
// is many orders of magnitude wider than their rounding, so the ledger's exact decimals are not
// needed here.
type lot struct {
	ts    time.Time
	price decimal.Decimal
	left  float64 // still held
	dust  float64 // a thousandth of what the buy held: at or below it the lot is sold
	// pending verdicts of stopLossPct rules, e.pending[pendingStart:pendingEnd]
	pendingStart, pendingEnd int32
}

// lotQueue is one symbol's open lots, oldest first from head.
type lotQueue struct {
	lots []lot
	head int
}

// pendingVerdict is the stop-loss verdict of a buy, decided when its lot is sold or at the end.
type pendingVerdict struct {
	verdict, rule int32
}

// baseFee returns t's fee when it was charged in the base asset, else zero.
func baseFee(t *coach.Trade) float64 {
	if t.Fee.Valid && t.Fee.Decimal.Sign() > 0 && t.FeeAsset == t.Symbol.Base() {
		return t.Fee.Decimal.InexactFloat64()
	}
	return 0
}

// openLot opens the lot of buy t; nil when t holds nothing (a bad quantity, price or fee).
func (e *evaluator) openLot(k int32, t *coach.Trade) *lot {
	if t.Qty.Sign() <= 0 || t.Price.Sign() <= 0 || !saneDecimal(t.Qty) || !saneDecimal(t.Price) {
		return nil
	}
	held := float64(t.Qty.InexactFloat64() - baseFee(t))
	if !(held > 0) {
		return nil
	}
	if e.lots == nil {
		e.lots = make(map[coach.Symbol]*lotQueue)
	}
	q := e.lots[t.Symbol]
	if q == nil {
		q = &lotQueue{}
		e.lots[t.Symbol] = q
	}
	if q.head > 64 && q.head*2 > len(q.lots) {
		q.lots = append(q.lots[:0], q.lots[q.head:]...)
		q.head = 0
	}
	n := int32(len(e.pending))
	q.lots = append(q.lots, lot{ts: t.TS, price: t.Price, left: held, dust: held / 1000, pendingStart: n, pendingEnd: n})
	return &q.lots[len(q.lots)-1]
}

// closeLots takes sell t out of its symbol's lots, oldest first, and decides the stop-loss
// verdicts of the lots it sells.
func (e *evaluator) closeLots(t *coach.Trade) {
	q := e.lots[t.Symbol]
	if q == nil || t.Qty.Sign() <= 0 || !saneDecimal(t.Qty) {
		return
	}
	take := float64(t.Qty.InexactFloat64() + baseFee(t))
	for take > 0 && q.head < len(q.lots) {
		l := &q.lots[q.head]
		if take < l.left {
			l.left -= take
			if l.left > l.dust {
				return
			}
			take = 0
		} else {
			take -= l.left
		}
		e.resolve(t.Symbol, l, t.TS.UnixNano(), true)
		q.head++
	}
}

// resolve decides the stop-loss verdicts of lot l of sym: sold at soldAt (Unix ns) when sold,
// else still open.
func (e *evaluator) resolve(sym coach.Symbol, l *lot, soldAt int64, sold bool) {
	if l.pendingStart == l.pendingEnd {
		return
	}
	f := e.frame(sym)
	entry := l.price.InexactFloat64()
	i, j := 0, 0
	if f != nil {
		i = f.from(l.ts.UnixNano()) // whole bars after the fill…
		j = len(f.open)
		if sold {
			j = f.from(soldAt - f.step + 1) // …that closed at or before the sale
		}
	}
	for _, p := range e.pending[l.pendingStart:l.pendingEnd] {
		r := &e.rules[p.rule]
		v := &e.out.Verdicts[p.verdict]
		stop := float64(entry * r.stopFactor)
		e.ev.begin()
		e.ev.dec("entryPrice", l.price)
		e.ev.num("stopPrice", stop)
		e.ev.num("pct", r.pct)
		switch {
		case f == nil:
			v.Outcome, v.Reason = Undecided, ReasonNoCandles
			if sold {
				v.At = time.Unix(0, soldAt).UTC()
			}
		case j > i && f.firstAtMost(i, j, stop) >= 0:
			c := f.firstAtMost(i, j, stop)
			v.Outcome, v.Reason = Broken, ""
			v.At = time.Unix(0, f.open[c]+f.step).UTC()
			e.ev.num("low", f.low[c])
			e.ev.time("crossedAt", v.At)
		case !sold:
			v.Outcome, v.Reason = Undecided, ReasonOpen
			e.ev.int("candles", j-i)
		default:
			v.At = time.Unix(0, soldAt).UTC()
			want := int(max(0, floorDiv(soldAt, f.step)-ceilDiv(l.ts.UnixNano(), f.step)))
			v.Outcome, v.Reason = Followed, ""
			if j-i != want {
				v.Outcome, v.Reason = Undecided, ReasonMissingCandle
			}
			e.ev.int("candles", j-i)
			if j > i {
				e.ev.num("lowest", f.minLow(i, j))
			}
			e.ev.time("soldAt", v.At)
		}
		v.Evidence = e.ev.end()
	}
}

// minLow returns the lowest low of bars [i, j), j > i.
func (f *frame) minLow(i, j int) float64 {
	f.firstAtMost(i, i+1, f.low[i]) // builds the tree
	m := f.low[i]
	for lo, hi := i+f.size, j+f.size; lo < hi; lo, hi = lo/2, hi/2 {
		if lo&1 == 1 {
			m = min(m, f.tree[lo])
			lo++
		}
		if hi&1 == 1 {
			hi--
			m = min(m, f.tree[hi])
		}
	}
	return m
}
