package bias

import "github.com/tradecoach/coach"

// Result is what Score makes of one trader's trades.
type Result struct {
	// Version is the Config.Version the tags were scored under.
	Version string `json:"version"`
	// Tags are the labels, in trade order (TS, Broker, ExtID, ID), then by label. Score leaves ID
	// and CreatedAt empty (the Service sets them); TradeID is the trade's ID, or its ExtID when
	// the ID is empty; UserID is the trade's.
	Tags []coach.BiasTag `json:"tags"`
	// Skipped lists each (trade, label) that applied to a trade but could not be decided for want
	// of data, in trade order. A skipped trade has no tag of that label either way.
	Skipped []Skip `json:"skipped"`
	// Account holds the account-level metrics of the trades scored (those at or after the label
	// start of ScoreSince; all of them for Score).
	Account Account `json:"account"`
	// Data reports the candles Prepare dropped and the gaps it found.
	Data DataReport `json:"data"`
	// Ledger reports what the trade ledger could not account for.
	Ledger LedgerReport `json:"ledger"`
}

// LedgerReport counts the fills whose realized P/L is incomplete.
type LedgerReport struct {
	// Method is the lot-matching method of realized P/L ("fifo").
	Method string `json:"method"`
	// UnknownFees is the number of fills with no fee reported (counted as zero).
	UnknownFees int `json:"unknownFees"`
	// UnconvertedFees is the number of fills whose fee was charged in a third asset with no
	// candle to value it; the fee is left out.
	UnconvertedFees int `json:"unconvertedFees"`
	// UncoveredSells is the number of sells that exceeded the holdings the trades show (the
	// history starts mid-position): their excess has no P/L.
	UncoveredSells int `json:"uncoveredSells"`
}

// Skip says why a label that applies to a trade could not be decided.
type Skip struct {
	TradeID string `json:"tradeId"`
	Label   string `json:"label"`
	// Cause is one of the Cause constants, for machines.
	Cause string `json:"cause"`
	// Reason says the same for people, with the numbers.
	Reason string `json:"reason"`
}

// Causes of a Skip.
const (
	// CauseNoCandles: the trade's symbol has no candles at or before the fill.
	CauseNoCandles = "no_candles"
	// CauseMissingBar: the bar that closed just before the fill is missing (a gap in the data).
	CauseMissingBar = "missing_bar"
	// CauseWarmup: too few contiguous candles before the fill for the indicators the label reads.
	CauseWarmup = "warmup"
	// CauseUndefined: an indicator the decision needs is undefined (a flat market with no range,
	// no volatility or no volume).
	CauseUndefined = "undefined"
	// CauseNoPosition: the sell's P/L is unknown because the trades show no holdings it closes.
	CauseNoPosition = "no_position"
	// CauseBaseline: too few earlier entries for the trader's own size baseline.
	CauseBaseline = "baseline"
	// CauseUndecided: DISCIPLINE needs FOMO, PANIC and REVENGE decided, and one was skipped.
	CauseUndecided = "undecided"
	// CauseInvalidTrade: the stored trade is outside the ranges coach.Trade.Validate enforces
	// today (stored before they were), so no definition scores it; Label is empty (every label).
	// The user's other trades are scored without it.
	CauseInvalidTrade = "invalid_trade"
)
