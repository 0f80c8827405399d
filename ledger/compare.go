package ledger

import (
	"slices"
	"time"

	"github.com/tradecoach/coach"
)

// CompareConfig says which cost methods Compare runs, and with what.
type CompareConfig struct {
	// Methods are the methods to compare, in the order wanted. Nil compares FIFO, LIFO, HIFO and
	// AverageCost, and SpecificID after them when Selection is set. A method that is unknown or
	// listed twice is EINVALID.
	Methods []CostMethod
	// FeePrices converts fees charged in a third asset, for every method; nil converts none.
	FeePrices PriceLookup
	// Selection names the lots sells close under SpecificID; the other methods ignore it.
	Selection Selection
	// Period, when set, names the period of a closing fill's TS (DayPeriod, WeekPeriod,
	// MonthPeriod, YearPeriod), and Compare fills each Comparison's ByPeriod.
	Period func(time.Time) string
}

// Comparison is the realized P/L of one cost method over one user's fills. Its money figures are
// in the quote asset of their Total, and figures of different quote assets are never added.
type Comparison struct {
	Method CostMethod
	// Totals are the realized totals of each quote asset (Symbol and Period empty), by quote
	// asset: what the method realizes in all.
	Totals []Total
	// BySymbol are the realized totals of each symbol (Result.BySymbol).
	BySymbol []Total
	// ByPeriod are the realized totals of each period and quote asset (Result.ByPeriod); nil
	// unless CompareConfig.Period is set.
	ByPeriod []Total
	// Result is the method's whole ledger: the closing fills, the open lots left (whose cost
	// basis is what the method defers), the uncovered sells.
	Result *Result
}

// Compare applies the ledger to one user's fills with each method of cfg and returns their
// realized P/L side by side, one Comparison per method in cfg's order, so that a trader can see
// which method realizes how much in which period.
//
// Errors are Apply's: a fill a method cannot take in full gives the complete comparison together
// with the first method's EINVALID error (each Result.Errors says which fills); an invalid
// configuration, or fills Apply refuses, give nil and an EINVALID error.
func Compare(fills []coach.Trade, cfg CompareConfig) ([]Comparison, error) {
	methods := cfg.Methods
	if methods == nil {
		methods = []CostMethod{FIFO, LIFO, HIFO, AverageCost}
		if cfg.Selection != nil {
			methods = append(methods, SpecificID)
		}
	}
	for i, m := range methods {
		if !m.valid() {
			return nil, coach.Errorf(coach.EINVALID, "compare: unknown cost method %d", int(m))
		}
		if slices.Contains(methods[:i], m) {
			return nil, coach.Errorf(coach.EINVALID, "compare: %s listed twice", m)
		}
	}
	out := make([]Comparison, 0, len(methods))
	var first error
	for _, m := range methods {
		l := Ledger{Method: m, FeePrices: cfg.FeePrices}
		if m == SpecificID {
			l.Selection = cfg.Selection
		}
		r, err := l.Apply(fills)
		if r == nil {
			return nil, err
		}
		if first == nil {
			first = err
		}
		c := Comparison{Method: m, Totals: r.ByQuote(), BySymbol: r.BySymbol(), Result: r}
		if cfg.Period != nil {
			c.ByPeriod = r.ByPeriod(cfg.Period)
		}
		out = append(out, c)
	}
	return out, first
}
