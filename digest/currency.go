package digest

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// CurrencyFigures are the week's money figures in the user's reporting currency, beside the
// per-quote ones of the Payload. Unlike those they cover the closes and fees of every quote asset:
// each close's P/L (and each of its attributed portions) is converted at the close's time, each
// fee at its fill's time, through Input.Converter's candles. What cannot be converted is listed
// with its reason and left out of every sum here, never counted as zero.
type CurrencyFigures struct {
	// Currency is the reporting currency (User.Currency).
	Currency string `json:"currency"`
	// Realized is the converted realized P/L of the week's closes; Fees the converted fees of the
	// week's fills.
	Realized decimal.Decimal `json:"realized"`
	Fees     decimal.Decimal `json:"fees"`
	// PnLByBias, Labelled and Unlabelled attribute the converted P/L as Payload's buckets do (each
	// portion converted at its close's rate and rounded to 12 places). Trades counts the week's
	// fills of every quote asset in the group; Closes the converted closes with a portion in it.
	PnLByBias  map[string]Bucket `json:"pnlByBias"`
	Labelled   Bucket            `json:"labelled"`
	Unlabelled Bucket            `json:"unlabelled"`
	// Closes is the evidence of Realized: each converted close with its path and rate, and the
	// closes that could not be converted, with why (Closes.Totals.Excluded counts them).
	Closes *ledger.CurrencyReport `json:"closes"`
	// FeeConversions has one entry per week's fill with a non-zero known fee, in the ledger's
	// order; those whose Conversion has a reason are left out of Fees.
	FeeConversions []FeeIn `json:"feeConversions"`
	// Excluded counts the closes and fees not converted.
	Excluded int `json:"excluded"`
}

// FeeIn is one fill's fee in the reporting currency. A fee in the quote asset converts through
// the quote asset, one in the base asset at the fill price and then through the quote asset, one
// in a third asset (BNB) through that asset directly.
type FeeIn struct {
	TradeID string `json:"tradeId"`
	// Fee and Asset are the fee as charged.
	Fee   decimal.Decimal `json:"fee"`
	Asset string          `json:"asset"`
	// Value is the fee in the reporting currency; zero and to be ignored when Conversion has a
	// reason.
	Value      decimal.Decimal `json:"value"`
	Conversion ledger.Rate     `json:"conversion"`
}

// currencyFigures converts the week's closes (in res, those of weekKeys) and fees (the fills of
// hist from start on).
func currencyFigures(c *ledger.Converter, res *ledger.Result, hist []coach.Trade, weekKeys map[string]bool,
	parts map[string][]entryPart, labelsOf func(string) []string, counts map[string]int, labelled, unlabelled int) *CurrencyFigures {
	f := &CurrencyFigures{
		Currency: c.Currency(), PnLByBias: map[string]Bucket{}, FeeConversions: []FeeIn{},
		Labelled: Bucket{Trades: labelled}, Unlabelled: Bucket{Trades: unlabelled},
	}
	for l, n := range counts {
		f.PnLByBias[l] = Bucket{Trades: n}
	}
	week := &ledger.Result{Method: res.Method}
	for i := range res.Realized {
		if weekKeys[res.Realized[i].TradeID] {
			week.Realized = append(week.Realized, res.Realized[i])
		}
	}
	f.Closes = week.InCurrency(c, time.Time{}, nil) // the week's closes; open positions are not valued
	index := make(map[string]int, len(week.Realized))
	for i := range week.Realized {
		index[week.Realized[i].TradeID] = i
	}
	f.Realized = f.Closes.Totals.RealizedPnL
	f.Excluded = f.Closes.Totals.Excluded
	var portions []portion
	for i := range f.Closes.Realized {
		x := &f.Closes.Realized[i]
		r := &week.Realized[index[x.TradeID]]
		portions, _ = split(portions, r, parts[r.TradeID], labelsOf)
		f.attribute(portions, x.Rate)
	}
	for i := range hist {
		t := &hist[i]
		if !weekKeys[t.Ref()] || !t.Fee.Valid || t.Fee.Decimal.IsZero() {
			continue
		}
		in := FeeIn{TradeID: t.Ref(), Fee: t.Fee.Decimal, Asset: t.FeeAsset}
		amount := t.Fee.Decimal
		switch t.FeeAsset {
		case t.Symbol.Quote():
			in.Conversion = c.Rate(t.Symbol.Quote(), t.TS)
		case t.Symbol.Base():
			in.Conversion = c.Rate(t.Symbol.Quote(), t.TS)
			amount = amount.Mul(t.Price)
		default:
			in.Conversion = c.Rate(t.FeeAsset, t.TS)
		}
		if v, ok := in.Conversion.Apply(amount); ok {
			in.Value = v
			f.Fees = f.Fees.Add(v)
		} else {
			f.Excluded++
		}
		f.FeeConversions = append(f.FeeConversions, in)
	}
	return f
}

// attribute adds each portion, converted at rate, to the buckets of its labels (a close counted
// once per bucket), and to Labelled or Unlabelled.
func (f *CurrencyFigures) attribute(portions []portion, rate ledger.Rate) {
	var seen []string
	labelled, unlabelled := false, false
	for _, q := range portions {
		v, _ := rate.Apply(q.pnl)
		if len(q.labels) == 0 {
			f.Unlabelled.Realized = f.Unlabelled.Realized.Add(v)
			unlabelled = true
			continue
		}
		f.Labelled.Realized = f.Labelled.Realized.Add(v)
		labelled = true
		for _, l := range q.labels {
			b := f.PnLByBias[l]
			b.Realized = b.Realized.Add(v)
			if !slices.Contains(seen, l) {
				seen = append(seen, l)
				b.Closes++
			}
			f.PnLByBias[l] = b
		}
	}
	if labelled {
		f.Labelled.Closes++
	}
	if unlabelled {
		f.Unlabelled.Closes++
	}
}

// amountsOK reports whether every amount of f passes ok (a stored payload is checked before it
// is rendered).
func (f *CurrencyFigures) amountsOK(ok func(decimal.Decimal) bool) bool {
	if !ok(f.Realized) || !ok(f.Fees) || !ok(f.Labelled.Realized) || !ok(f.Unlabelled.Realized) {
		return false
	}
	for _, b := range f.PnLByBias {
		if !ok(b.Realized) {
			return false
		}
	}
	for _, x := range f.FeeConversions {
		if !ok(x.Fee) || !ok(x.Value) || !rateOK(x.Conversion, ok) {
			return false
		}
	}
	if c := f.Closes; c != nil {
		t := c.Totals
		if !ok(t.RealizedPnL) || !ok(t.RealizedFees) || !ok(t.UnrealizedPnL) || !ok(t.OpenFees) || !ok(t.OpenValue) || !ok(t.PnL) {
			return false
		}
		for _, x := range c.Realized {
			if !ok(x.QuotePnL) || !ok(x.QuoteFees) || !ok(x.PnL) || !ok(x.Fees) || !rateOK(x.Rate, ok) {
				return false
			}
		}
		for _, x := range c.Unconvertible {
			if !ok(x.QuotePnL) || !ok(x.QuoteFees) {
				return false
			}
		}
	}
	return true
}

// rateOK reports whether a rate's amounts pass ok.
func rateOK(r ledger.Rate, ok func(decimal.Decimal) bool) bool {
	if !ok(r.Value) {
		return false
	}
	for _, l := range r.Legs {
		if !ok(l.Close) {
			return false
		}
	}
	return true
}
