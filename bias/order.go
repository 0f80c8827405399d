package bias

import (
	"math"
	"slices"
	"time"

	"github.com/tradecoach/coach"
)

// order is one order of the trader: its fills, in trade order. The definitions score orders, not
// fills (DEFINITIONS.md, Conventions): fills with the same Trade.OrderID (and broker, symbol and
// side) are one order; fills without one are one order when they share their time, symbol and
// side.
type order struct {
	fills []int32 // indexes into scorer.fills
}

// orderKey identifies an order while grouping.
type orderKey struct {
	broker, id string // id is Trade.OrderID, "" when the broker gives none
	ts         int64  // the fill time, for fills without an order id
	sym        int32
	buy        bool
}

// groupOrders returns the orders of the fills, in the trade order of their first fills. Their
// fills are slices of one shared array: grouping allocates per run, not per order.
func (s *scorer) groupOrders() []order {
	of := make([]int32, len(s.fills)) // each fill's order
	var sizes []int32                 // each order's number of fills
	byID := map[orderKey]int32{}      // orders with a broker order id, over the whole history
	byTS := map[orderKey]int32{}      // orders without one, at the current fill time only
	lastTS := int64(math.MinInt64)
	for k := range s.fills {
		f := &s.fills[k]
		key := orderKey{broker: f.t.Broker, id: f.t.OrderID, sym: f.sym, buy: f.buy}
		idx := byID
		if key.id == "" {
			key.ts, idx = f.ts, byTS
			if f.ts != lastTS {
				clear(byTS) // trade order is by time: no later fill joins an earlier time's order
				lastTS = f.ts
			}
		}
		i, ok := idx[key]
		if !ok {
			i = int32(len(sizes))
			idx[key] = i
			sizes = append(sizes, 0)
		}
		of[k] = i
		sizes[i]++
	}
	orders := make([]order, len(sizes))
	members := make([]int32, len(s.fills))
	at := int32(0)
	for i, n := range sizes {
		orders[i].fills = members[at : at : at+n]
		at += n
	}
	for k, i := range of {
		orders[i].fills = append(orders[i].fills, int32(k))
	}
	return orders
}

// merged returns the order o as one fill: the first fill's trade, key, symbol, side and time, the
// fills' total quantity, notional and fees, and their volume-weighted price.
func (s *scorer) merged(o *order) fill {
	f := s.fills[o.fills[0]]
	if len(o.fills) == 1 {
		return f
	}
	for _, k := range o.fills[1:] {
		g := &s.fills[k]
		f.qty += g.qty
		f.notional += g.notional
		f.baseFee += g.baseFee
		f.feeQuote += g.feeQuote // NaN, unknown, when any fill's fee is
	}
	f.price = f.notional / f.qty
	return f
}

// mergedSale returns the ledger's account of the order o's sale: P/L and cost summed over its
// fills, the holding period weighted by their quantities.
func (s *scorer) mergedSale(o *order, sales []sale) sale {
	if len(o.fills) == 1 {
		return sales[o.fills[0]]
	}
	var out sale
	var w float64
	for _, k := range o.fills {
		sl := sales[k]
		out.uncovered = out.uncovered || sl.uncovered
		if !sl.known {
			continue
		}
		q := s.fills[k].qty
		out.known = true
		out.pnl += sl.pnl
		out.cost += sl.cost
		out.hold += sl.hold * q
		out.feesUnknown = out.feesUnknown || sl.feesUnknown
		w += q
	}
	if w > 0 {
		out.hold /= w
	}
	return out
}

// verdict returns the trader's rules on the order o: the most rules checked on any of its fills,
// and every rule any of them broke.
func (s *scorer) verdict(o *order) Verdict {
	var v Verdict
	for _, k := range o.fills {
		w := s.cfg.Rules(*s.fills[k].t)
		v.Checked = max(v.Checked, w.Checked)
		for _, b := range w.Broken {
			if !slices.Contains(v.Broken, b) {
				v.Broken = append(v.Broken, b)
			}
		}
	}
	return v
}

// scoreOrders scores every order once, in the trade order of its first fill, and gives each of
// its fills the order's tags and skips.
func (s *scorer) scoreOrders() {
	sales := make([]sale, len(s.fills))
	for k := range s.fills {
		if !s.fills[k].buy {
			sales[k] = s.saleOf(&s.fills[k])
		}
	}
	orders := s.groupOrders()
	osales := make([]sale, len(orders))
	var wins []float64
	for i := range orders {
		if o := &orders[i]; !s.fills[o.fills[0]].buy {
			osales[i] = s.mergedSale(o, sales)
			if sl := osales[i]; sl.known && sl.pnl > 0 {
				wins = append(wins, sl.hold)
			}
		}
	}
	s.hold.init(wins)
	for i := range orders {
		o := &orders[i]
		f := s.merged(o)
		sl := osales[i]
		s.order = o
		skipAt := len(s.res.Skipped)
		s.step(&f, sl)
		s.spread(o, skipAt)
		if len(s.lateTags) > 0 {
			s.res.Tags = append(s.res.Tags, s.lateTags...)
			s.lateTags, s.late = s.lateTags[:0], true
		}
	}
	s.order = nil
	if s.late {
		// DISCIPLINE added to an entry when its position closed: put every tag back in trade
		// order (each trade's tags by label).
		pos := make(map[string]int, len(s.fills))
		for k := range s.fills {
			pos[s.fills[k].key] = k
		}
		slices.SortStableFunc(s.res.Tags, func(a, b coach.BiasTag) int {
			if d := pos[a.TradeID] - pos[b.TradeID]; d != 0 {
				return d
			}
			return compareLabels(a.Label, b.Label)
		})
	}
}

// spread sorts the order's tags by label and copies its tags and skips (written on its first
// fill) to its other fills.
func (s *scorer) spread(o *order, skipAt int) {
	tags := s.res.Tags[s.tagAt:]
	sortLabels(tags)
	if len(o.fills) == 1 {
		return
	}
	n, m := len(tags), len(s.res.Skipped)-skipAt
	for _, k := range o.fills[1:] {
		key := s.fills[k].key
		for i := range n {
			g := s.res.Tags[s.tagAt+i]
			g.TradeID = key
			s.res.Tags = append(s.res.Tags, g)
		}
		for i := range m {
			sk := s.res.Skipped[skipAt+i]
			sk.TradeID = key
			s.res.Skipped = append(s.res.Skipped, sk)
		}
	}
}

// compareLabels orders labels as sortLabels does.
func compareLabels(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// OrderKey names the order a fill belongs to, as scoring groups fills (DEFINITIONS.md,
// Conventions): its broker, symbol, side and Trade.OrderID when the broker gives one, else its
// broker, symbol, side and time. Fills with the same key are one order and carry the same labels;
// a reader that counts labels per order (the digest) counts distinct keys.
func OrderKey(t coach.Trade) string {
	if t.OrderID != "" {
		return "id\x00" + t.Broker + "\x00" + string(t.Symbol) + "\x00" + string(t.Side) + "\x00" + t.OrderID
	}
	return "ts\x00" + t.Broker + "\x00" + string(t.Symbol) + "\x00" + string(t.Side) + "\x00" + t.TS.UTC().Format(time.RFC3339Nano)
}
