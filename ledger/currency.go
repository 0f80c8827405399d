package ledger

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// CurrencyReport is a Result's realized P/L, fees and open positions in one reporting currency,
// with the evidence of every conversion. A figure that cannot be converted is listed in
// Unconvertible with its reason and left out of Totals, never counted as zero. Its JSON form is
// what payloads (digest, simulations) carry; money is in decimal strings.
type CurrencyReport struct {
	// Currency is the reporting currency; End the time open positions are valued at (zero: they
	// are not valued).
	Currency string    `json:"currency"`
	End      time.Time `json:"end,omitzero"`
	// Realized has one entry per converted closing fill, in the Result's order.
	Realized []RealizedIn `json:"realized"`
	// Open has one entry per symbol with open lots that was valued and converted at End, by
	// symbol.
	Open []OpenIn `json:"open"`
	// Unconvertible lists what could not be converted, closing fills first (in the Result's
	// order), then open positions by symbol.
	Unconvertible []Unconverted  `json:"unconvertible"`
	Totals        CurrencyTotals `json:"totals"`
}

// CurrencyTotals sums a CurrencyReport's converted figures, in its Currency.
type CurrencyTotals struct {
	// RealizedPnL and RealizedFees sum the converted closing fills (Realized).
	RealizedPnL  decimal.Decimal `json:"realizedPnl"`
	RealizedFees decimal.Decimal `json:"realizedFees"`
	// UnrealizedPnL, OpenFees and OpenValue sum the converted open positions (Open): their P/L,
	// their entry fees not yet realized, and their market value (the equity held in them).
	UnrealizedPnL decimal.Decimal `json:"unrealizedPnl"`
	OpenFees      decimal.Decimal `json:"openFees"`
	OpenValue     decimal.Decimal `json:"openValue"`
	// PnL is RealizedPnL + UnrealizedPnL.
	PnL decimal.Decimal `json:"pnl"`
	// Realized and Open count the entries summed; Excluded counts the entries of Unconvertible,
	// which no total includes.
	Realized int `json:"realized"`
	Open     int `json:"open"`
	Excluded int `json:"excluded"`
	// FeesUnknown is true when a fee behind a summed figure is unknown or was not converted into
	// its quote asset (see Result.UnknownFees and Result.Errors).
	FeesUnknown bool `json:"feesUnknown"`
}

// RealizedIn is one closing fill's P/L and fees in the reporting currency. Both are converted at
// the one Rate of its quote asset at the fill's time, so PnL keeps its meaning (proceeds less
// cost basis less fees, all at that rate).
type RealizedIn struct {
	TradeID  string       `json:"tradeId"`
	Symbol   coach.Symbol `json:"symbol"`
	ClosedAt time.Time    `json:"closedAt"`
	// QuotePnL and QuoteFees are the Realized figures in the symbol's quote asset.
	QuotePnL  decimal.Decimal `json:"quotePnl"`
	QuoteFees decimal.Decimal `json:"quoteFees"`
	// PnL and Fees are in the reporting currency.
	PnL  decimal.Decimal `json:"pnl"`
	Fees decimal.Decimal `json:"fees"`
	// Rate converts the quote asset at ClosedAt: the path, rate and candles used.
	Rate        Rate `json:"conversion"`
	FeesUnknown bool `json:"feesUnknown,omitempty"`
}

// OpenIn is a symbol's open lots valued at End and converted at End.
type OpenIn struct {
	Symbol coach.Symbol `json:"symbol"`
	// Qty is the base quantity held.
	Qty decimal.Decimal `json:"qty"`
	// Mark is the price the lots are valued at, in the quote asset: a one-leg Rate from the
	// symbol's own candle, or with no leg when the caller gave the price.
	Mark Rate `json:"mark"`
	// Quote are the unrealized figures in the quote asset (Result.Unrealized at Mark). They are
	// not in the JSON form: a report read back from JSON (a cached simulation) has them zero.
	Quote Unrealized `json:"-"`
	// MarketValue, Fees and PnL are Quote's, in the reporting currency.
	MarketValue decimal.Decimal `json:"marketValue"`
	Fees        decimal.Decimal `json:"fees"`
	PnL         decimal.Decimal `json:"pnl"`
	// Rate converts the quote asset at End.
	Rate        Rate `json:"conversion"`
	FeesUnknown bool `json:"feesUnknown,omitempty"`
}

// Unconverted is a closing fill or an open position the report could not convert, with why.
type Unconverted struct {
	// TradeID is the closing fill's; "" for an open position.
	TradeID string       `json:"tradeId,omitempty"`
	Symbol  coach.Symbol `json:"symbol"`
	// At is the closing fill's time, or End for an open position.
	At time.Time `json:"at"`
	// QuotePnL and QuoteFees are the figures left unconverted, in the symbol's quote asset (an
	// open position without a mark has neither: both zero and Reason NoMark).
	QuotePnL  decimal.Decimal `json:"quotePnl"`
	QuoteFees decimal.Decimal `json:"quoteFees"`
	Reason    Reason          `json:"reason"`
	Detail    string          `json:"detail"`
}

// InCurrency converts r into c's currency: every closing fill's P/L and fees at its time, and,
// when end is not zero, every symbol's open lots valued at end and converted at end. An open
// symbol is valued at marks[symbol] when that is a positive price, else at c.Mark (the close of
// its own last candle at end). A Result whose Realized a Ledger's Brief took has no closing fill
// to convert. Uncovered sells get no P/L and are not converted.
func (r *Result) InCurrency(c *Converter, end time.Time, marks map[coach.Symbol]decimal.Decimal) *CurrencyReport {
	rep := &CurrencyReport{Currency: c.Currency(), End: end, Realized: make([]RealizedIn, 0, len(r.Realized)), Open: []OpenIn{}, Unconvertible: []Unconverted{}}
	var pnl, fees, upnl, ofees, value amount
	for i := range r.Realized {
		x := &r.Realized[i]
		rate := c.Rate(x.Symbol.Quote(), x.ClosedAt)
		p, ok := rate.Apply(x.PnL)
		if !ok {
			rep.Unconvertible = append(rep.Unconvertible, Unconverted{
				TradeID: x.TradeID, Symbol: x.Symbol, At: x.ClosedAt, QuotePnL: x.PnL, QuoteFees: x.Fees,
				Reason: rate.Reason, Detail: rate.Detail,
			})
			continue
		}
		f, _ := rate.Apply(x.Fees)
		rep.Realized = append(rep.Realized, RealizedIn{
			TradeID: x.TradeID, Symbol: x.Symbol, ClosedAt: x.ClosedAt, QuotePnL: x.PnL, QuoteFees: x.Fees,
			PnL: p, Fees: f, Rate: rate, FeesUnknown: x.FeesUnknown,
		})
		pnl, fees = pnl.add(amountOf(p)), fees.add(amountOf(f))
		rep.Totals.FeesUnknown = rep.Totals.FeesUnknown || x.FeesUnknown
	}
	if !end.IsZero() {
		syms := openSymbols(r.Lots)
		markOf := make(map[coach.Symbol]Rate, len(syms))
		prices := make(map[coach.Symbol]decimal.Decimal, len(syms))
		for _, sym := range syms {
			mark := Rate{Asset: sym.Base(), Currency: sym.Quote(), At: end}
			if p, ok := marks[sym]; ok && validAmount(p) && p.Sign() > 0 {
				mark.Value = p
			} else {
				mark = c.Mark(sym, end)
			}
			markOf[sym] = mark
			if mark.OK() {
				prices[sym] = mark.Value
			}
		}
		// Symbols without a price are left out of u (and named in its error): they are listed
		// below from markOf.
		u, _ := r.Unrealized(prices)
		quoted := make(map[coach.Symbol]Unrealized, len(u))
		for _, q := range u {
			quoted[q.Symbol] = q
		}
		for _, sym := range syms {
			mark := markOf[sym]
			q, ok := quoted[sym]
			if !mark.OK() || !ok {
				if mark.OK() { // a price Unrealized refuses
					mark.Reason, mark.Detail = NoMark, "the mark of "+string(sym)+" is out of range"
				}
				rep.Unconvertible = append(rep.Unconvertible, Unconverted{Symbol: sym, At: end, Reason: mark.Reason, Detail: mark.Detail})
				continue
			}
			rate := c.Rate(sym.Quote(), end)
			if !rate.OK() {
				rep.Unconvertible = append(rep.Unconvertible, Unconverted{
					Symbol: sym, At: end, QuotePnL: q.PnL, QuoteFees: q.Fees, Reason: rate.Reason, Detail: rate.Detail,
				})
				continue
			}
			o := OpenIn{Symbol: sym, Qty: q.Qty, Mark: mark, Quote: q, Rate: rate, FeesUnknown: q.FeesUnknown}
			o.MarketValue, _ = rate.Apply(q.MarketValue)
			o.Fees, _ = rate.Apply(q.Fees)
			o.PnL, _ = rate.Apply(q.PnL)
			rep.Open = append(rep.Open, o)
			upnl, ofees, value = upnl.add(amountOf(o.PnL)), ofees.add(amountOf(o.Fees)), value.add(amountOf(o.MarketValue))
			rep.Totals.FeesUnknown = rep.Totals.FeesUnknown || q.FeesUnknown
		}
	}
	t := &rep.Totals
	t.RealizedPnL, t.RealizedFees = pnl.dec(), fees.dec()
	t.UnrealizedPnL, t.OpenFees, t.OpenValue = upnl.dec(), ofees.dec(), value.dec()
	t.PnL = pnl.add(upnl).dec()
	t.Realized, t.Open, t.Excluded = len(rep.Realized), len(rep.Open), len(rep.Unconvertible)
	return rep
}

// openSymbols returns the symbols of lots (which are grouped by symbol) in order.
func openSymbols(lots []Lot) []coach.Symbol {
	var out []coach.Symbol
	for i := range lots {
		if i == 0 || lots[i].Symbol != lots[i-1].Symbol {
			out = append(out, lots[i].Symbol)
		}
	}
	return out
}
