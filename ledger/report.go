package ledger

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// Result is what the ledger makes of one user's fills. Every money figure is in the quote asset
// of its symbol (USDT for BTC-USDT, BTC for ETH-BTC); figures of different quote assets are never
// added together.
type Result struct {
	// Method is the cost method the result was computed with.
	Method CostMethod
	// Realized has one entry per fill that closed (part of) a position, in the ledger's order
	// (TS, Broker, ExtID, ID); nil when the Ledger's Brief took them instead.
	Realized []Realized
	// Lots are the open positions at the end, by symbol, then oldest first (in the ledger's
	// order), whatever the method. Under AverageCost each symbol has at most one lot, its pool.
	Lots []Lot
	// Uncovered has one entry per sell that exceeded the holdings the ledger knows of (the
	// history starts mid-position, or a buy is missing). The excess gets no P/L: no cost basis is
	// made up for it. The covered part of the sell, if any, is in Realized as usual.
	Uncovered []Uncovered
	// UnknownFees lists the IDs (ExtIDs of fills without one) of fills whose fee is unknown (Trade.Fee is null), in the
	// ledger's order. Such a fee counts as zero, and every figure it is part of says FeesUnknown.
	UnknownFees []string
	// Errors lists the fills the ledger could not take in full. Apply returns an EINVALID error
	// whenever this is not empty.
	Errors []TradeError
}

// Realized is the realized P/L of one closing fill: a sell, matched against the open lots of its
// symbol (FIFO: oldest first; LIFO: newest first; HIFO: highest price first; SpecificID: the lots
// Selection names; AverageCost: the pool at its average cost).
//
// Qty is the base quantity that left the position and was covered by known holdings: the fill's
// Qty, plus the fee when the fee was charged in the base asset (that part is sold at the fill
// price and its value counted as a fee), minus any uncovered excess. Proceeds is Qty × Price.
// Fees are the entry fees of the matched lots pro-rated to the matched quantity, plus the fill's
// own fee (pro-rated to the covered part when part of the sell was uncovered). PnL is
// Proceeds − CostBasis − Fees.
type Realized struct {
	// TradeID is the ID of the closing fill (its ExtID while it has no ID, as everywhere in a
	// Result).
	TradeID string
	Symbol  coach.Symbol
	// ClosedAt is the closing fill's TS.
	ClosedAt time.Time
	// OpenedAt is when the oldest matched lot was opened (every method but AverageCost), or
	// when the position was last opened from flat (AverageCost).
	OpenedAt time.Time
	// HoldingPeriod is how long the matched quantity was held on average, weighted by quantity
	// (over the matched lots; AverageCost: since the pool's quantity-weighted mean acquisition
	// time).
	HoldingPeriod time.Duration
	Qty           decimal.Decimal
	// Price is the fill's price.
	Price     decimal.Decimal
	Proceeds  decimal.Decimal
	CostBasis decimal.Decimal
	Fees      decimal.Decimal
	PnL       decimal.Decimal
	// FeesUnknown is true when a fee behind these figures is unknown or could not be converted
	// (see Result.UnknownFees and Result.Errors): Fees then understates and PnL overstates.
	FeesUnknown bool
}

// RealizedBrief is a Realized in brief, as Apply passes it to Ledger.Brief: the same closing fill
// with the same fields, each decimal figure given as the float64 nearest to it (ties to even:
// what decimal.Decimal.InexactFloat64 returns for the Realized's figure).
type RealizedBrief struct {
	TradeID       string
	Symbol        coach.Symbol
	ClosedAt      time.Time
	OpenedAt      time.Time
	HoldingPeriod time.Duration
	Qty           float64
	Price         float64
	Proceeds      float64
	CostBasis     float64
	Fees          float64
	PnL           float64
	FeesUnknown   bool
}

// Lot is an open position: the remainder of one buy, or a symbol's pool (AverageCost).
type Lot struct {
	Symbol coach.Symbol
	// TradeID is the ID of the buy that opened the lot (its ExtID while it has no ID); "" for an
	// average-cost pool.
	TradeID string
	// OpenedAt is the buy's TS, or when the pool was last opened from flat (AverageCost).
	OpenedAt time.Time
	// Qty is the base quantity still held. A buy whose fee was charged in the base asset holds its
	// Qty less the fee.
	Qty decimal.Decimal
	// Price is the cost of one unit: the buy's price, or the pool's average cost rounded to 12
	// decimal places (AverageCost).
	Price decimal.Decimal
	// CostBasis is the cost of Qty, fees excluded.
	CostBasis decimal.Decimal
	// Fees is the part of the entry fees not yet allocated to a closing fill.
	Fees decimal.Decimal
	// FeesUnknown is true when a fee behind Fees is unknown or could not be converted.
	FeesUnknown bool
}

// Uncovered is the part of a sell beyond the holdings the ledger knows of. It gets no P/L.
type Uncovered struct {
	// TradeID is the ID of the sell.
	TradeID string
	Symbol  coach.Symbol
	// At is the sell's TS.
	At time.Time
	// Qty is the base quantity sold beyond known holdings.
	Qty decimal.Decimal
	// Price is the sell's price.
	Price decimal.Decimal
	// Proceeds is Qty × Price.
	Proceeds decimal.Decimal
	// Fees is the part of the sell's fee that belongs to Qty.
	Fees decimal.Decimal
	// FeesUnknown is true when the sell's fee is unknown or could not be converted.
	FeesUnknown bool
}

// TradeError is a fill the ledger could not take in full.
type TradeError struct {
	// TradeID is the fill's ID (its ExtID when the ID is empty).
	TradeID string
	Symbol  coach.Symbol
	// Skipped is true when the fill was left out entirely (a field the ledger needs is invalid);
	// false when its quantities were applied but not as given: its fee was left out of every
	// figure because it could not be converted to the quote asset (the figures then say
	// FeesUnknown), or its picks in Selection broke a rule and it was matched FIFO instead.
	Skipped bool
	// Err is a *Error with code EINVALID saying what is wrong.
	Err error
}
