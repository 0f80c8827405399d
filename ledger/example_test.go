package ledger_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// Compare shows how much each cost method realizes, here in a tax year that ends with a
// position still open; the specific method closes the lot the trader names.
func ExampleCompare() {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	trade := func(id string, side coach.Side, price string, hour int) coach.Trade {
		p := decimal.RequireFromString(price)
		return coach.Trade{
			ID: id, UserID: "u1", Broker: "binance", ExtID: id, Symbol: "BTC-USDT", Side: side,
			Qty: decimal.NewFromInt(1), Price: p, TS: start.Add(time.Duration(hour) * time.Hour),
			Fee: decimal.NewNullDecimal(p.Shift(-3)), FeeAsset: "USDT", // 0.1%
		}
	}
	fills := []coach.Trade{
		trade("b1", coach.Buy, "100", 0),
		trade("b2", coach.Buy, "130", 1),
		trade("s1", coach.Sell, "120", 2),
	}
	cmp, err := ledger.Compare(fills, ledger.CompareConfig{
		Selection: ledger.Selection{"s1": {{TradeID: "b2", Qty: decimal.NewFromInt(1)}}},
		Period:    ledger.YearPeriod(nil),
	})
	if err != nil {
		panic(err)
	}
	for _, c := range cmp {
		for _, p := range c.ByPeriod {
			fmt.Printf("%-12s %s %s P/L %s (fees %s), cost %s still open\n", c.Method, p.Period, p.Quote, p.PnL, p.Fees, c.Result.Lots[0].CostBasis)
		}
	}
	// Output:
	// fifo         2026 USDT P/L 19.78 (fees 0.22), cost 130 still open
	// lifo         2026 USDT P/L -10.25 (fees 0.25), cost 100 still open
	// hifo         2026 USDT P/L -10.25 (fees 0.25), cost 100 still open
	// average_cost 2026 USDT P/L 4.765 (fees 0.235), cost 115 still open
	// specific     2026 USDT P/L -10.25 (fees 0.25), cost 100 still open
}
