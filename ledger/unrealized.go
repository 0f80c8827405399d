package ledger

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// Unrealized is the P/L of a symbol's open lots if they were sold at Price, fees of that sale
// excluded. Its money figures are in the symbol's quote asset.
type Unrealized struct {
	Symbol coach.Symbol
	// Qty is the base quantity held.
	Qty decimal.Decimal
	// Price is the price the lots are valued at.
	Price decimal.Decimal
	// MarketValue is Qty × Price.
	MarketValue decimal.Decimal
	// CostBasis is the cost of the open lots, fees excluded.
	CostBasis decimal.Decimal
	// Fees are the open lots' entry fees not yet allocated to a closing fill.
	Fees decimal.Decimal
	// PnL is MarketValue − CostBasis − Fees.
	PnL decimal.Decimal
	// FeesUnknown is true when a fee behind Fees is unknown or could not be converted.
	FeesUnknown bool
}

// Unrealized values the open lots of each symbol at prices[symbol], by symbol. A symbol with open
// lots but no positive price is left out, and then the error (EINVALID) names it: a missing price
// is never taken as zero.
func (r *Result) Unrealized(prices map[coach.Symbol]decimal.Decimal) ([]Unrealized, error) {
	var out []Unrealized
	var missing []string
	for i := 0; i < len(r.Lots); {
		sym := r.Lots[i].Symbol
		var qty, cost, fees amount
		unknown := false
		for ; i < len(r.Lots) && r.Lots[i].Symbol == sym; i++ {
			lt := &r.Lots[i]
			qty = qty.add(amountOf(lt.Qty))
			cost = cost.add(amountOf(lt.CostBasis))
			fees = fees.add(amountOf(lt.Fees))
			unknown = unknown || lt.FeesUnknown
		}
		p, ok := prices[sym]
		if !ok || !validAmount(p) || p.Sign() <= 0 {
			missing = append(missing, string(sym))
			continue
		}
		value := qty.mul(amountOf(p))
		out = append(out, Unrealized{
			Symbol:      sym,
			Qty:         qty.dec(),
			Price:       p,
			MarketValue: value.dec(),
			CostBasis:   cost.dec(),
			Fees:        fees.dec(),
			PnL:         value.sub(cost).sub(fees).dec(),
			FeesUnknown: unknown,
		})
	}
	if len(missing) > 0 {
		return out, coach.Errorf(coach.EINVALID, "unrealized: no price for %s", strings.Join(missing, ", "))
	}
	return out, nil
}
