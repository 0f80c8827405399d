package ledger_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// InCurrency reports P/L made in USDT and in EUR in one currency, USD, with the path and rate of
// each conversion; a pair with no path to USD is reported as unconvertible, not as a number.
func ExampleResult_InCurrency() {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	trade := func(id string, sym coach.Symbol, side coach.Side, price string, hour int) coach.Trade {
		return coach.Trade{
			ID: id, UserID: "u1", Broker: "binance", ExtID: id, Symbol: sym, Side: side,
			Qty: decimal.NewFromInt(1), Price: decimal.RequireFromString(price), TS: start.Add(time.Duration(hour) * time.Hour),
			Fee: decimal.NewNullDecimal(decimal.Zero),
		}
	}
	candle := func(sym coach.Symbol, hour int, close float64) coach.Candle {
		return coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: start.Add(time.Duration(hour-1) * time.Hour),
			Open: close, High: close, Low: close, Close: close, Volume: 1}
	}
	res, err := ledger.New(ledger.FIFO).Apply([]coach.Trade{
		trade("b1", "BTC-USDT", coach.Buy, "60000", 0), trade("s1", "BTC-USDT", coach.Sell, "61000", 1),
		trade("b2", "SOL-EUR", coach.Buy, "100", 0), trade("s2", "SOL-EUR", coach.Sell, "120", 1),
		trade("b3", "XYZ-ABC", coach.Buy, "2", 0), trade("s3", "XYZ-ABC", coach.Sell, "3", 1),
	})
	if err != nil {
		panic(err)
	}
	usd, err := ledger.NewConverter(ledger.ConverterConfig{Currency: "USD", Candles: coach.SeriesOf([]coach.Candle{
		candle("USDT-USD", 1, 0.9995), candle("EUR-USD", 1, 1.08),
	})})
	if err != nil {
		panic(err)
	}
	rep := res.InCurrency(usd, time.Time{}, nil)
	for _, x := range rep.Realized {
		fmt.Printf("%s %s P/L %s %s = %s USD via %s at %s\n", x.TradeID, x.Symbol, x.QuotePnL, x.Symbol.Quote(), x.PnL, x.Rate.Path(), x.Rate.Value)
	}
	for _, u := range rep.Unconvertible {
		fmt.Printf("%s %s P/L %s %s: %s (%s)\n", u.TradeID, u.Symbol, u.QuotePnL, u.Symbol.Quote(), u.Reason, u.Detail)
	}
	fmt.Printf("total %s USD, %d left out\n", rep.Totals.RealizedPnL, rep.Totals.Excluded)
	// Output:
	// s1 BTC-USDT P/L 1000 USDT = 999.5 USD via USDT→USD at 0.9995
	// s2 SOL-EUR P/L 20 EUR = 21.6 USD via EUR→USD at 1.08
	// s3 XYZ-ABC P/L 1 ABC: no_path (no candles join ABC to USD, directly or through USDT, USDC, EUR, BTC, ETH)
	// total 1021.1 USD, 1 left out
}
