package sim

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// pricePlaces is the number of decimal places a price after slippage and a fee of an added fill
// are rounded to, half away from zero (the ledger's pro-rating precision).
const pricePlaces = 12

var one = decimal.New(1, 0)

// candlePrice converts a candle price to the price an added fill gets: the shortest decimal that
// is the float, moved against the trader by the slippage (down for a sell, up for a buy).
func (r *run) candlePrice(x float64, sell bool) decimal.Decimal {
	return r.slip(decimal.NewFromFloat(x), sell)
}

// slip moves price p against the trader by the slippage, rounded to pricePlaces.
func (r *run) slip(p decimal.Decimal, sell bool) decimal.Decimal {
	s := r.p.Fees.SlippageBps
	if s.IsZero() {
		return p
	}
	f := s.Div(bps)
	if sell {
		f = one.Sub(f)
	} else {
		f = one.Add(f)
	}
	return p.Mul(f).Round(pricePlaces)
}

// addSell adds a counterfactual sell of qty of fill src's symbol at ts and price, paying the fee
// rate of fill rateOf (or the FeeModel's Rate) in the quote asset; a rate that is unknown gives
// the new fill a null fee, so that the ledger counts its fee as unknown too. The new fill's ExtID
// is src's with suffix.
func (r *run) addSell(src, rateOf *fill, ts time.Time, qty, price decimal.Decimal, suffix string) {
	s := &r.syms[src.sym]
	t := coach.Trade{
		UserID: src.t.UserID,
		Broker: src.t.Broker,
		ExtID:  src.t.ExtID + suffix,
		Symbol: s.sym,
		Side:   coach.Sell,
		Qty:    qty,
		Price:  price,
		TS:     ts,
	}
	rate, ok := decimal.Decimal{}, true
	if r.p.Fees.Rate != nil {
		rate = *r.p.Fees.Rate
	} else {
		rate, ok = r.feeRate(rateOf)
	}
	if ok {
		t.Fee = decimal.NewNullDecimal(qty.Mul(price).Mul(rate).Round(pricePlaces))
		t.FeeAsset = s.quote
	}
	r.plan.added = append(r.plan.added, t)
	r.plan.addedSym = append(r.plan.addedSym, src.sym)
}
