package sim

import (
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// CurrencyPnL is the actual and the counterfactual P/L of a simulation in one reporting currency,
// beside the per-quote figures of Result.PnL: each book's closing fills converted at their times,
// its open positions marked at Data.Marks and converted at the window end, with every
// conversion's path and rate. A figure that cannot be converted is listed in its book's
// Unconvertible and left out of its totals.
type CurrencyPnL struct {
	// Currency is the reporting currency.
	Currency string `json:"currency"`
	// Actual and Counterfactual are the two books in Currency (ledger.Result.InCurrency).
	Actual         *ledger.CurrencyReport `json:"actual"`
	Counterfactual *ledger.CurrencyReport `json:"counterfactual"`
	// Delta is Counterfactual.Totals.PnL − Actual.Totals.PnL: how much better (in Currency) the
	// scenario would have done, marked to the window end. It is null when either book has an
	// unconvertible figure: a difference of partial sums would mislead.
	Delta *decimal.Decimal `json:"delta"`
}

// inCurrency converts both books with c, marking open positions at marks at the window end.
func (r *run) inCurrency(c *ledger.Converter, actual, counter *ledger.Result, marks map[coach.Symbol]decimal.Decimal) *CurrencyPnL {
	p := &CurrencyPnL{
		Currency:       c.Currency(),
		Actual:         actual.InCurrency(c, r.p.To, marks),
		Counterfactual: counter.InCurrency(c, r.p.To, marks),
	}
	if p.Actual.Totals.Excluded == 0 && p.Counterfactual.Totals.Excluded == 0 {
		d := p.Counterfactual.Totals.PnL.Sub(p.Actual.Totals.PnL)
		p.Delta = &d
	}
	return p
}
