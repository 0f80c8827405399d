// Package ledger turns one user's fills into profit and loss: it matches sells against open lots
// (FIFO by default; LIFO, HIFO, average cost, or specific identification of the lots each sell
// closes), converts fees charged in the quote, the base or a third asset the same way under
// every method, and reports realized P/L per closing fill, the open lots, the part of a sell the
// history does not cover, unrealized P/L at given prices, and totals per symbol and per period.
// Compare puts the realized P/L of several methods side by side. Result.InCurrency converts the
// P/L, fees and open positions of every quote asset into one reporting currency through candles
// (a Converter), with the path and rate of each conversion, or says that a figure is
// unconvertible instead of guessing.
//
//	res, err := ledger.New(ledger.FIFO).Apply(fills) // fills: []coach.Trade of one user
//
// Once every position is closed, all methods give the same total realized P/L to the last digit;
// they differ in when it is realized (which sells and periods it falls in) and, while positions
// are open, in the cost basis left in the open lots.
//
// The ledger is pure and deterministic: Apply orders the fills itself, keeps no state between
// calls and does no I/O. It builds on the root package coach only.
package ledger

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// PriceLookup returns the price of one unit of asset in quote at a time (for a BNB fee on a
// BTC-USDT fill: the price of BNB in USDT at the fill's TS), and false when it does not know it.
// The ledger uses it only for fees charged in a third asset.
type PriceLookup func(asset, quote string, at time.Time) (decimal.Decimal, bool)

// Ledger turns one user's fills into realized P/L per closing fill, open lots, and uncovered
// sells. It holds only configuration: Apply keeps no state between calls, and a Ledger is safe
// for concurrent use once configured.
//
// Fees. A fee in the quote asset counts as it is. A fee in the base asset is converted at the
// fill's price and also moves quantity: a buy holds Qty less the fee (the lot is smaller; its
// unit cost stays the fill price), and a sell takes Qty plus the fee out of the position (the fee
// part is sold at the fill price, so Proceeds include it and Fees count it; the cash received is
// Qty × Price). A fee in any other asset is converted with FeePrices at the fill's TS; when that
// is impossible the fill is still applied, without its fee, and reported in Result.Errors: a fee
// is never silently zero. A null fee (unknown) counts as zero and is listed in
// Result.UnknownFees.
//
// Arithmetic is exact, except pro-rating (the matched part of a lot's entry fee, the covered part
// of a sell's fee, the cost of part of an average-cost pool), which rounds to 12 decimal places,
// half away from zero; the last part of anything takes the remainder, so the parts add up to the
// whole exactly. Apply allocates for what it reports and little else.
type Ledger struct {
	// Method is the cost method, FIFO unless set.
	Method CostMethod
	// Selection names the lots sells close under SpecificID (see Selection); nil matches every
	// sell FIFO. Apply refuses a Selection with any other Method.
	Selection Selection
	// FeePrices converts fees charged in a third asset; nil converts none.
	FeePrices PriceLookup
	// Brief, when set, receives every closing fill as a RealizedBrief (its figures as float64),
	// in the ledger's order, instead of Result.Realized, which Apply then leaves nil; every other
	// part of the Result is as without it. Each Realized holds four computed decimals at two
	// allocations each, a brief none: Brief is for callers that use the figures as floats (scoring,
	// statistics) over many fills. Apply calls it synchronously from its own goroutine, so a
	// Ledger whose Brief is not safe for concurrent calls must not Apply concurrently.
	Brief func(RealizedBrief)
}

// New returns a ledger that matches with method and converts no third-asset fee (set
// FeePrices for that).
func New(method CostMethod) *Ledger { return &Ledger{Method: method} }

// Apply computes the ledger of fills, which must all belong to one user. It orders them itself
// by (TS, Broker, ExtID, ID), so the result does not depend on the order they are given in, and
// it does not modify fills.
//
// A fill the ledger cannot take in full (an invalid field, an unconvertible fee, picks of
// Selection that break its rules) is reported in Result.Errors, and then Apply returns the
// complete Result together with an EINVALID error saying how many fills are affected. An unknown
// Method, fills of several users, a Selection without SpecificID, or a Selection whose pick has
// no lot ID or no positive quantity, or whose sell ID names no sell (or several) among the fills,
// give a nil Result and an EINVALID error.
func (l *Ledger) Apply(fills []coach.Trade) (*Result, error) {
	if !l.Method.valid() {
		return nil, coach.Errorf(coach.EINVALID, "ledger: unknown cost method %d", int(l.Method))
	}
	if l.Selection != nil && l.Method != SpecificID {
		return nil, coach.Errorf(coach.EINVALID, "ledger: a selection of lots needs the specific method, not %s", l.Method)
	}
	sells := 0
	for i := range fills {
		if fills[i].UserID != fills[0].UserID {
			return nil, coach.Errorf(coach.EINVALID, "ledger: fills of more than one user")
		}
		if fills[i].Side == coach.Sell {
			sells++
		}
	}
	spec, err := newSpecific(l.Selection, fills)
	if err != nil {
		return nil, err
	}
	order := fillOrder(fills)
	r := &Result{Method: l.Method}
	if sells > 0 && l.Brief == nil {
		r.Realized = make([]Realized, 0, sells) // at most one per sell: never grown
	}
	a := applier{l: l, r: r, books: make(map[coach.Symbol]*book), spec: spec}
	for i := range fills {
		t := &fills[i]
		if order != nil {
			t = &fills[order[i]]
		}
		a.apply(t)
	}
	a.closeBooks()
	if len(r.Realized) == 0 {
		r.Realized = nil
	}
	if n := len(r.Errors); n > 0 {
		return r, coach.Errorf(coach.EINVALID, "ledger: %d fill(s) not taken in full; first: %s", n, coach.ErrorMessage(r.Errors[0].Err))
	}
	return r, nil
}

// fillOrder returns the indexes of fills in the ledger's order, or nil when fills are in that
// order already (the usual case: stores list oldest first).
func fillOrder(fills []coach.Trade) []int32 {
	sorted := true
	for i := 1; i < len(fills); i++ {
		if coach.CompareTrades(&fills[i-1], &fills[i]) > 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return nil
	}
	order := make([]int32, len(fills))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return coach.CompareTrades(&fills[a], &fills[b]) })
	return order
}
