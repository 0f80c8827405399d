package brokertest

import (
	"bytes"
	"encoding/csv"
	"slices"

	"github.com/shopspring/decimal"
)

// FillsStatement returns the fills AddFills made (not the reversal entries) as Coinbase's fills
// statement, the CSV a user downloads (broker.CSVCoinbaseFills): portfolio, trade id (the API's
// trade_id), product, side (the order's when the fill's is blank), created at (trade_time to the
// millisecond, as Coinbase writes it), size and size unit (the quote asset for a fill sized in
// quote), price, fee, total (negative for a buy) and price/fee/total unit, oldest first. The same
// fills imported from it and through List Fills are one fill each: the trade id is what both say.
func (f *Coinbase) FillsStatement() []byte {
	f.mu.Lock()
	fills := slices.Clone(f.fills)
	orders := make(map[string]cbOrder, len(f.orders))
	for id, o := range f.orders {
		orders[id] = o
	}
	f.mu.Unlock()
	slices.Reverse(fills) // served newest first
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"portfolio", "trade id", "product", "side", "created at", "size", "size unit", "price", "fee", "total", "price/fee/total unit"})
	for _, fl := range fills {
		if fl.TradeType != "FILL" {
			continue
		}
		o := orders[fl.OrderID]
		side, unit := string(o.side), o.product.Base()
		if fl.Side != "" {
			side = fl.Side
		}
		price, size, fee := decimal.RequireFromString(fl.Price), decimal.RequireFromString(fl.Size), decimal.RequireFromString(fl.Commission)
		notional := price.Mul(size)
		if fl.SizeInQuote {
			unit, notional = o.product.Quote(), size
		}
		total := notional.Sub(fee)
		if side == "BUY" {
			total = notional.Add(fee).Neg()
		}
		_ = w.Write([]string{"default", fl.TradeID, fl.ProductID, side, fl.ts.UTC().Format("2006-01-02T15:04:05.000Z"),
			fl.Size, unit, fl.Price, fl.Commission, total.String(), o.product.Quote()})
	}
	w.Flush()
	return b.Bytes()
}
