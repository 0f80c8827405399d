package digest

import (
	"slices"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// entryPart is the part of a close that one FIFO lot covered: q units opened by the fill entry at
// price.
type entryPart struct {
	entry string
	q     decimal.Decimal
	price decimal.Decimal
}

// openLot is the open remainder of a buy.
type openLot struct {
	entry string
	q     decimal.Decimal
	price decimal.Decimal
}

// traceLots replays FIFO matching over trades, as ledger.Ledger does (trade order (TS, Broker,
// ExtID, ID); a base-asset fee shrinks a buy's lot and adds to a sell's outflow; fills the ledger
// skipped are left out), and returns, for each sell in want, the lots it closed, oldest first.
// Build checks the parts against the ledger's own Realized figures and does not use them when
// they disagree.
func traceLots(trades []coach.Trade, skipped map[string]bool, want map[string]bool) map[string][]entryPart {
	out := make(map[string][]entryPart, len(want))
	if len(want) == 0 {
		return out
	}
	var order []int // nil when trades are in order already (the usual case: stores list them so)
	for i := 1; i < len(trades); i++ {
		if coach.CompareTrades(&trades[i-1], &trades[i]) > 0 {
			order = make([]int, len(trades))
			for i := range order {
				order[i] = i
			}
			slices.SortStableFunc(order, func(a, b int) int { return coach.CompareTrades(&trades[a], &trades[b]) })
			break
		}
	}
	type book struct {
		lots []openLot
		head int // lots[head:] are open
	}
	books := make(map[coach.Symbol]*book)
	arena := make([]entryPart, 0, len(trades)) // every sell's parts, back to back
	for k := range trades {
		t := &trades[k]
		if order != nil {
			t = &trades[order[k]]
		}
		key := t.Ref()
		if skipped[key] {
			continue
		}
		b := books[t.Symbol]
		if b == nil {
			b = &book{}
			books[t.Symbol] = b
		}
		inBase := t.Fee.Valid && !t.Fee.Decimal.IsZero() && t.FeeAsset == t.Symbol.Base()
		if t.Side == coach.Buy {
			q := t.Qty
			if inBase {
				q = q.Sub(t.Fee.Decimal)
			}
			if b.head == len(b.lots) {
				b.lots, b.head = b.lots[:0], 0
			}
			b.lots = append(b.lots, openLot{entry: key, q: q, price: t.Price})
			continue
		}
		remaining := t.Qty
		if inBase {
			remaining = remaining.Add(t.Fee.Decimal)
		}
		first := len(arena)
		for remaining.Sign() > 0 && b.head < len(b.lots) {
			lt := &b.lots[b.head]
			if lt.q.Cmp(remaining) <= 0 { // the lot is closed
				arena = append(arena, entryPart{entry: lt.entry, q: lt.q, price: lt.price})
				remaining = remaining.Sub(lt.q)
				b.head++
				continue
			}
			arena = append(arena, entryPart{entry: lt.entry, q: remaining, price: lt.price})
			lt.q = lt.q.Sub(remaining)
			remaining = decimal.Zero
		}
		if want[key] {
			out[key] = arena[first:len(arena):len(arena)]
		}
	}
	return out
}

// portion is a share of a close's realized P/L and the labels it is attributed to.
type portion struct {
	pnl    decimal.Decimal
	labels []string
}

// feeScale is the decimal places a pro-rated fee share is rounded to, as the ledger pro-rates.
const feeScale = 12

// split divides the realized P/L of r among the labels of the entries whose lots it closed. The
// parts are grouped by their entry's labels; a group's share is Σ q × (exit − entry price) less
// r's fees pro-rated by the group's quantity (rounded to feeScale places), and the last group
// takes the remainder, so the portions add up to r.PnL exactly. Each portion carries the close's
// labels and its entries'. When every entry has the same labels the whole P/L is one portion.
// When the parts do not reproduce r's quantity and cost basis, split gives one portion with the
// close's labels only and ok false.
//
// The portions are appended to out[:0].
func split(out []portion, r *ledger.Realized, parts []entryPart, labelsOf func(string) []string) ([]portion, bool) {
	out = out[:0]
	own := labelsOf(r.TradeID)
	if len(parts) == 0 {
		return append(out, portion{pnl: r.PnL, labels: own}), false
	}
	type group struct {
		labels    []string
		qty, cost decimal.Decimal
	}
	groups := make([]group, 0, 4)
	for _, p := range parts {
		ls := labelsOf(p.entry)
		g := -1
		for i := range groups {
			if slices.Equal(groups[i].labels, ls) {
				g = i
				break
			}
		}
		if g < 0 {
			g = len(groups)
			groups = append(groups, group{labels: ls})
		}
		groups[g].qty = groups[g].qty.Add(p.q)
		groups[g].cost = groups[g].cost.Add(p.q.Mul(p.price))
	}
	qty, cost := groups[0].qty, groups[0].cost
	for _, g := range groups[1:] {
		qty = qty.Add(g.qty)
		cost = cost.Add(g.cost)
	}
	if !qty.Equal(r.Qty) || !cost.Equal(r.CostBasis) {
		return append(out, portion{pnl: r.PnL, labels: own}), false
	}
	if len(groups) == 1 { // how the P/L divides does not matter
		return append(out, portion{pnl: r.PnL, labels: union(own, groups[0].labels)}), true
	}
	rest := r.PnL
	for i, g := range groups {
		pnl := rest
		if i < len(groups)-1 {
			fee := r.Fees.Mul(g.qty).DivRound(qty, feeScale)
			pnl = r.Price.Mul(g.qty).Sub(g.cost).Sub(fee)
			rest = rest.Sub(pnl)
		}
		out = append(out, portion{pnl: pnl, labels: union(own, g.labels)})
	}
	return out, true
}

// union returns the sorted labels of a and b (both sorted, without repeats).
func union(a, b []string) []string {
	switch {
	case len(b) == 0:
		return a
	case len(a) == 0:
		return b
	}
	out := make([]string, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	slices.Sort(out)
	return slices.Compact(out)
}
