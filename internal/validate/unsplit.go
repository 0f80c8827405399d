package validate

import (
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
)

// Unsplit returns the trader's history with every order filled in one piece: one fill with the
// ExtID of its first fill, the orders' total quantity and fee, and the volume-weighted price
// rounded to coach.MaxPricePlaces. Scoring it against the original shows whether a label
// depends on how an order happened to be split.
func Unsplit(tr brokertest.ValidationTrader) brokertest.ValidationTrader {
	byExt := make(map[string]coach.Trade, len(tr.Trades))
	for _, t := range tr.Trades {
		byExt[t.ExtID] = t
	}
	out := brokertest.ValidationTrader{Orders: make([]brokertest.ValidationOrder, len(tr.Orders))}
	for i, o := range tr.Orders {
		first := byExt[o.ExtIDs[0]]
		var qty, notional, fee decimal.Decimal
		for _, id := range o.ExtIDs {
			f := byExt[id]
			qty = qty.Add(f.Qty)
			notional = notional.Add(f.Qty.Mul(f.Price))
			fee = fee.Add(f.Fee.Decimal)
		}
		one := first
		one.Qty, one.Price = qty, notional.DivRound(qty, coach.MaxPricePlaces)
		one.Fee = decimal.NewNullDecimal(fee)
		out.Trades = append(out.Trades, one)
		o.ExtIDs = []string{first.ExtID}
		out.Orders[i] = o
	}
	return out
}
