package digest_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
)

// Build is pure: a week's trades and tags in, the digest out. Here a FOMO buy closed at a loss.
func ExampleBuild() {
	week, err := digest.ParseWeek("2024-W10")
	if err != nil {
		panic(err)
	}
	btc, mon := coach.MustParseSymbol("BTC-USDT"), time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	trades := []coach.Trade{
		{ID: "t1", Broker: "csv", ExtID: "1", Symbol: btc, Side: coach.Buy, TS: mon,
			Qty: decimal.NewFromInt(1), Price: decimal.NewFromInt(68000)},
		{ID: "t2", Broker: "csv", ExtID: "2", Symbol: btc, Side: coach.Sell, TS: mon.Add(26 * time.Hour),
			Qty: decimal.NewFromInt(1), Price: decimal.NewFromInt(66500)},
	}
	tags := []coach.BiasTag{{ID: "g1", TradeID: "t1", Label: coach.LabelFOMO, Confidence: 0.9}}
	p, err := digest.Build(digest.Input{User: coach.User{ID: "trader-1"}, Week: week, Trades: trades, Tags: tags})
	fmt.Println(p.Week, p.PeriodStart, p.PeriodEnd, err)
	fmt.Println(p.TradeCount, "trades,", p.Closes, "close, realized", p.Realized, p.Quote)
	fmt.Println("FOMO:", p.CountsByBias[coach.LabelFOMO], "trade, P/L", p.PnLByBias[coach.LabelFOMO].Realized)
	fmt.Println(p.Suggestion.Text)
	// Output:
	// 2024-W10 2024-03-04 2024-03-10 <nil>
	// 2 trades, 1 close, realized -1500 USDT
	// FOMO: 1 trade, P/L -1500
	// This week 1 trade was tagged FOMO buying; 1500.00 USDT of realized loss this week is attributed to that label. Before a buy after a sharp rise, wait for the next candle to close and write down your exit first.
}
