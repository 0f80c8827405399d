package ledger

import (
	"math"
	"time"
)

// pool is a symbol's position under AverageCost.
type pool struct {
	qty, cost, fee amount
	openedAt       time.Time // when the pool last opened from flat
	meanAge        float64   // nanoseconds after openedAt: the quantity-weighted mean acquisition time
	feesUnknown    bool
}

// add takes a buy of qty at price into the pool.
func (p *pool) add(qty, price amount, f fillFee, at time.Time) {
	if p.qty.isZero() {
		*p = pool{qty: qty, cost: qty.mul(price), fee: f.quote, openedAt: at, feesUnknown: f.unknown}
		return
	}
	held, bought := p.qty.float(), qty.float()
	if w := held + bought; w > 0 {
		p.meanAge = (p.meanAge*held + float64(at.Sub(p.openedAt))*bought) / w
	}
	p.qty = p.qty.add(qty)
	p.cost = p.cost.add(qty.mul(price))
	p.fee = p.fee.add(f.quote)
	p.feesUnknown = p.feesUnknown || f.unknown
}

// take matches a sell of out at its average cost.
func (p *pool) take(out amount, at time.Time) match {
	if p.qty.isZero() {
		return match{}
	}
	m := match{openedAt: p.openedAt, feesUnknown: p.feesUnknown}
	m.holding = at.Sub(p.openedAt) - time.Duration(math.Round(p.meanAge))
	if out.cmp(p.qty) >= 0 {
		m.covered, m.cost, m.entryFee = p.qty, p.cost, p.fee
		*p = pool{}
		return m
	}
	m.covered = out
	m.cost = mulDiv(p.cost, out, p.qty)
	m.entryFee = mulDiv(p.fee, out, p.qty)
	p.qty = p.qty.sub(out)
	p.cost = p.cost.sub(m.cost)
	p.fee = p.fee.sub(m.entryFee)
	return m
}
