package sim

import "fmt"

// skipLabelled leaves out every labelled buy and takes the quantity later sold out of its lot out
// of the sells that sold it. With FIFO matching, removing a lot together with what was sold of
// it leaves the matching of every other lot as it was.
func (r *run) skipLabelled() {
	n := 0
	label := r.sc.label()
	for k, on := range r.sel.labelled {
		if !on {
			continue
		}
		n++
		f := &r.fills[k]
		r.plan.remove[k] = true
		r.plan.change(int32(k), Change{
			TradeID: f.key, Symbol: f.t.Symbol, Change: ChangeSkipped, Qty: f.t.Qty,
			Detail: fmt.Sprintf("%s buy of %s %s at %s left out", label, f.t.Qty, r.syms[f.sym].base, f.t.Price),
		})
	}
	r.res.Data.Labelled = n
	if n > 0 {
		r.removeSoldOutOfRemovedLots(r.matchLots(r.plan.remove))
	}
}

// removeSoldOutOfRemovedLots takes out of each sell what it sold of a buy the plan removes.
func (r *run) removeSoldOutOfRemovedLots(ms []lotMatch) {
	for _, m := range ms {
		if r.plan.remove[m.buy] {
			r.plan.reduce[m.sell] = r.plan.reduce[m.sell].Add(m.qty)
		}
	}
}
