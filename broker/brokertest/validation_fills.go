package brokertest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// valFeeRate is the taker fee of both traders, charged in USDT.
const valFeeRate = 0.001

// valBook turns a trader's orders into fills: one, or several partial fills of the same time,
// symbol and side (a market order swept across several resting orders), each priced inside the
// bar it fills in.
type valBook struct {
	r      *rand.Rand
	m      *valMarket
	user   string
	prefix string // ExtID prefix
	out    ValidationTrader
	nfill  int
}

// execution is what an order filled at.
type execution struct {
	qty      decimal.Decimal
	notional float64 // Σ qty × price
	fee      float64
	avg      float64 // notional / qty
}

// Price kinds of an order.
const (
	atMarket = iota // near the bar's open, a tick or so worse; partial fills slip further
	atStop          // a stop order: at its level, inside the bar (the caller passes the open when the bar gapped past it); partial fills slip further
	atLimit         // a resting limit order (a target): every partial fill at its level, inside the bar
)

// place fills an order for qty (rounded down to the asset's decimals; nothing happens for zero)
// of asset in minute t, records it with its intents and reason, and returns what it filled at.
func (b *valBook) place(asset, t int, side coach.Side, qty decimal.Decimal, kind int, level float64, intents []string, reason string) (execution, bool) {
	a := valAssets[asset]
	qty = qty.Truncate(a.qtyExp)
	if qty.Sign() <= 0 {
		return execution{}, false
	}
	bar := b.m.m1[asset][t]
	price := bar.Open
	switch kind {
	case atMarket:
		slip := float64(b.r.IntN(2)) * a.tick
		if side == coach.Buy {
			price = min(roundTick(bar.Open+slip, a), bar.High)
		} else {
			price = max(roundTick(bar.Open-slip, a), bar.Low)
		}
	case atStop, atLimit:
		price = min(max(roundTick(level, a), bar.Low), bar.High)
	}
	// Partial fills: the same time, each a tick or two worse than the last.
	parts := 1
	if b.r.Float64() < vpSplitProb {
		parts = vpSplitMin + b.r.IntN(vpSplitMax-vpSplitMin+1)
	}
	unit := decimal.New(1, -a.qtyExp)
	if qty.LessThan(unit.Mul(decimal.NewFromInt(int64(parts)))) {
		parts = 1
	}
	qtys := splitQty(b.r, qty, parts, a.qtyExp)
	ts := bar.OpenTime.Add(time.Duration(1+b.r.IntN(58))*time.Second + time.Duration(b.r.IntN(1000))*time.Millisecond)
	key := fmt.Sprintf("o-%06d", len(b.out.Orders)+1)
	ord := ValidationOrder{Key: key, Symbol: a.symbol, Side: side, TS: ts, Intents: sortedIntents(intents), Reason: reason}
	var ex execution
	p := price
	for k, q := range qtys {
		if k > 0 && kind != atLimit {
			step := float64(b.r.IntN(3)) * a.tick
			if side == coach.Buy {
				p = min(roundTick(p+step, a), bar.High)
			} else {
				p = max(roundTick(p-step, a), bar.Low)
			}
		}
		b.nfill++
		ext := fmt.Sprintf("%s-%07d", b.prefix, b.nfill)
		pd := decimal.NewFromFloat(p)
		notional := q.Mul(pd)
		fee := notional.Mul(decimal.NewFromFloat(valFeeRate)).Round(8)
		b.out.Trades = append(b.out.Trades, coach.Trade{
			UserID: b.user, Broker: coach.BrokerDemo, ExtID: ext, Symbol: a.symbol, Side: side,
			Qty: q, Price: pd, Fee: decimal.NewNullDecimal(fee), FeeAsset: a.symbol.Quote(), TS: ts,
		})
		ord.ExtIDs = append(ord.ExtIDs, ext)
		ex.qty = ex.qty.Add(q)
		ex.notional += notional.InexactFloat64()
		ex.fee += fee.InexactFloat64()
	}
	ex.avg = ex.notional / ex.qty.InexactFloat64()
	b.out.Orders = append(b.out.Orders, ord)
	return ex, true
}

// qtyFor is the quantity that notional USDT buys at price, for asset.
func qtyFor(asset int, notional, price float64) decimal.Decimal {
	return decimal.NewFromFloat(notional / price).Truncate(valAssets[asset].qtyExp)
}

// splitQty splits qty into parts positive quantities of exp decimals that add up to qty.
func splitQty(r *rand.Rand, qty decimal.Decimal, parts int, exp int32) []decimal.Decimal {
	if parts <= 1 {
		return []decimal.Decimal{qty}
	}
	units := qty.Shift(exp).IntPart()
	w := make([]float64, parts)
	var sum float64
	for i := range w {
		w[i] = 0.3 + r.Float64()
		sum += w[i]
	}
	out := make([]decimal.Decimal, 0, parts)
	left := units
	for i := range parts - 1 {
		n := max(int64(math.Floor(float64(units)*w[i]/sum)), 1)
		n = min(n, left-int64(parts-1-i)) // leave at least one unit for each later part
		out = append(out, decimal.New(n, -exp))
		left -= n
	}
	return append(out, decimal.New(left, -exp))
}

// sortedIntents returns a sorted copy of intents without repeats, never nil.
func sortedIntents(intents []string) []string {
	out := slices.Clone(intents)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// finish sorts the fills into trade order (the orders stay in placement order).
func (b *valBook) finish() ValidationTrader {
	slices.SortStableFunc(b.out.Trades, func(x, y coach.Trade) int { return coach.CompareTrades(&x, &y) })
	return b.out
}
