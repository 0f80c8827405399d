// Command ledger computes the profit and loss of a small trade history with ledger.Ledger and
// prints it as tables: realized P/L per closing fill (FIFO), the part of a sell the history
// cannot cover, the open lots valued at current prices, totals per symbol and per ISO week in the
// trader's time zone, and the same history under average cost.
//
// The fills show what real imports look like: partial fills, a fee in the base asset (Binance
// buys), in the quote asset, in BNB (converted with a price lookup), a CSV row without a fee, a
// history that starts with a sell, and a sale late on Sunday in UTC that is Monday in Berlin.
//
//	go run ./examples/ledger
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // Europe/Berlin without the system's zoneinfo

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ledger:", err)
		os.Exit(1)
	}
}

// fill is one row of the history below.
type fill struct {
	id, when, symbol, side, qty, price, fee string
}

// history is a week of one trader's fills. Times are UTC; fee is "AMOUNT ASSET", or "" when the
// source did not say (a CSV export without a fee column).
var history = []fill{
	{"e0", "2026-03-02 08:05", "ETH-USDT", "SELL", "0.5", "3400", "1.7 USDT"}, // bought before the history starts
	{"b1", "2026-03-02 09:15", "BTC-USDT", "BUY", "0.03", "60000", "0.00003 BTC"},
	{"b2", "2026-03-02 09:15", "BTC-USDT", "BUY", "0.02", "60000", "0.00002 BTC"}, // same order, second partial fill
	{"e1", "2026-03-03 14:40", "ETH-USDT", "BUY", "2", "3300", ""},
	{"b3", "2026-03-04 11:00", "BTC-USDT", "BUY", "0.03", "62000", "1.86 USDT"},
	{"x1", "2026-03-04 12:30", "ETH-BTC", "BUY", "1", "0.052", "0.001 ETH"},
	{"s1", "2026-03-05 16:20", "BTC-USDT", "SELL", "0.06", "64500", "0.0015 BNB"},
	{"x2", "2026-03-06 10:10", "ETH-BTC", "SELL", "0.5", "0.0545", "0.00002725 BTC"},
	{"e2", "2026-03-08 23:30", "ETH-USDT", "SELL", "1.2", "3150", "3.78 USDT"}, // Monday 00:30 in Berlin
}

// marks are the prices the open lots are valued at.
var marks = map[coach.Symbol]decimal.Decimal{
	"BTC-USDT": decimal.RequireFromString("66000"),
	"ETH-USDT": decimal.RequireFromString("3250"),
	"ETH-BTC":  decimal.RequireFromString("0.0535"),
}

// bnb is a price lookup for BNB fees; a real one reads candles at the fill's time.
func bnb(asset, quote string, _ time.Time) (decimal.Decimal, bool) {
	if asset == "BNB" && quote == "USDT" {
		return decimal.RequireFromString("620"), true
	}
	return decimal.Decimal{}, false
}

func trades() ([]coach.Trade, error) {
	out := make([]coach.Trade, 0, len(history))
	for _, f := range history {
		ts, err := time.Parse("2006-01-02 15:04", f.when)
		if err != nil {
			return nil, err
		}
		sym, err := coach.ParseSymbol(f.symbol)
		if err != nil {
			return nil, err
		}
		t := coach.Trade{
			ID: f.id, UserID: "trader1", Broker: "binance", ExtID: f.id, Symbol: sym, Side: coach.Side(f.side),
			Qty: decimal.RequireFromString(f.qty), Price: decimal.RequireFromString(f.price), TS: ts,
		}
		if amount, asset, ok := strings.Cut(f.fee, " "); ok {
			t.Fee, t.FeeAsset = decimal.NewNullDecimal(decimal.RequireFromString(amount)), asset
		}
		if err := t.Validate(); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func run(w io.Writer) error {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return err
	}
	fills, err := trades()
	if err != nil {
		return err
	}
	l := ledger.New(ledger.FIFO)
	l.FeePrices = bnb
	r, err := l.Apply(fills)
	if err != nil {
		return err
	}

	section(w, "Realized P/L per closing fill (FIFO; fees include the matched part of each entry fee)")
	tw := table(w, "fill", "closed (Berlin)", "symbol", "qty", "price", "proceeds", "cost basis", "fees", "P/L", "held for", "note")
	for _, x := range r.Realized {
		q := x.Symbol.Quote()
		note := ""
		if x.FeesUnknown {
			note = "a fee is unknown"
		}
		row(tw, x.TradeID, x.ClosedAt.In(berlin).Format("Mon 02 Jan 15:04"), x.Symbol, x.Qty, x.Price,
			money(x.Proceeds, q), money(x.CostBasis, q), money(x.Fees, q), money(x.PnL, q), held(x.HoldingPeriod), note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(r.Uncovered) > 0 {
		section(w, "Sold beyond the known holdings (no cost basis, so no P/L)")
		tw = table(w, "fill", "symbol", "qty", "price", "proceeds", "fees")
		for _, u := range r.Uncovered {
			q := u.Symbol.Quote()
			row(tw, u.TradeID, u.Symbol, u.Qty, u.Price, money(u.Proceeds, q), money(u.Fees, q))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	section(w, "Open lots")
	tw = table(w, "bought by", "symbol", "opened (Berlin)", "qty", "price", "cost basis", "entry fees left")
	for _, lt := range r.Lots {
		q := lt.Symbol.Quote()
		row(tw, lt.TradeID, lt.Symbol, lt.OpenedAt.In(berlin).Format("Mon 02 Jan 15:04"), lt.Qty, lt.Price, money(lt.CostBasis, q), money(lt.Fees, q))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	un, err := r.Unrealized(marks)
	if err != nil {
		return err
	}
	section(w, "Unrealized P/L at current prices")
	tw = table(w, "symbol", "qty", "price", "market value", "cost basis", "fees", "P/L")
	for _, u := range un {
		q := u.Symbol.Quote()
		row(tw, u.Symbol, u.Qty, u.Price, money(u.MarketValue, q), money(u.CostBasis, q), money(u.Fees, q), money(u.PnL, q))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	section(w, "Realized totals per symbol")
	if err := totals(w, r.BySymbol()); err != nil {
		return err
	}
	section(w, "Realized totals per ISO week in Europe/Berlin (the Sunday-night sale counts in week 11)")
	if err := totals(w, r.ByPeriod(ledger.WeekPeriod(berlin))); err != nil {
		return err
	}

	avg := ledger.New(ledger.AverageCost)
	avg.FeePrices = bnb
	ra, err := avg.Apply(fills)
	if err != nil {
		return err
	}
	section(w, "The same history under average cost")
	if err := totals(w, ra.BySymbol()); err != nil {
		return err
	}

	if len(r.UnknownFees) > 0 {
		fmt.Fprintf(w, "\nFees unknown (counted as zero) for fills: %s\n", strings.Join(r.UnknownFees, ", "))
	}
	return nil
}

func totals(w io.Writer, ts []ledger.Total) error {
	tw := table(w, "period", "symbol", "closes", "proceeds", "cost basis", "fees", "P/L", "quote")
	for _, t := range ts {
		period, sym := t.Period, string(t.Symbol)
		if period == "" {
			period = "all"
		}
		if sym == "" {
			sym = "all"
		}
		row(tw, period, sym, t.Closes, money(t.Proceeds, t.Quote), money(t.CostBasis, t.Quote), money(t.Fees, t.Quote), money(t.PnL, t.Quote), t.Quote)
	}
	return tw.Flush()
}

// money rounds an amount for display: cents for dollar-like quote assets, satoshis otherwise.
func money(d decimal.Decimal, quote string) string {
	if strings.Contains(quote, "USD") || quote == "EUR" {
		return d.StringFixed(2)
	}
	return d.StringFixed(8)
}

// held writes a holding period as days, hours and minutes ("2d 22h45m").
func held(d time.Duration) string {
	d = d.Round(time.Minute)
	days, rest := d/(24*time.Hour), d%(24*time.Hour)
	s := fmt.Sprintf("%dh%02dm", rest/time.Hour, rest%time.Hour/time.Minute)
	if days > 0 {
		s = fmt.Sprintf("%dd %s", days, s)
	}
	return s
}

func section(w io.Writer, title string) { fmt.Fprintf(w, "\n%s\n\n", title) }

func table(w io.Writer, header ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	return tw
}

func row(tw *tabwriter.Writer, cells ...any) {
	for _, c := range cells {
		fmt.Fprintf(tw, "%v\t", c)
	}
	fmt.Fprintln(tw)
}
