package rules_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

// A trader allows themself two fills a day and no trading late at night, Berlin time.
func Example() {
	stored := []coach.Rule{
		{ID: "r1", Kind: "maxTradesPerDay", Params: json.RawMessage(`{"n": 2}`), Active: true},
		{ID: "r2", Kind: "noTradingWindow", Params: json.RawMessage(`{"from": "23:00", "to": "06:00"}`), Active: true},
	}
	var rs []rules.Rule
	for _, s := range stored {
		r, err := rules.Parse(s)
		if err != nil {
			fmt.Println(coach.ErrorMessage(err))
			return
		}
		rs = append(rs, r)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	fill := func(id string, ts string) coach.Trade {
		at, _ := time.Parse(time.RFC3339, ts)
		return coach.Trade{ID: id, UserID: "u1", Broker: "binance", ExtID: id, Symbol: "BTC-USDT", Side: coach.Buy,
			Qty: decimal.RequireFromString("0.01"), Price: decimal.RequireFromString("60000"), TS: at}
	}
	trades := []coach.Trade{
		fill("t1", "2025-03-03T09:00:00Z"),
		fill("t2", "2025-03-03T15:00:00Z"),
		fill("t3", "2025-03-03T22:30:00Z"), // 23:30 in Berlin: late, and the third of the day
		fill("t4", "2025-03-04T10:00:00Z"),
	}
	ev, err := rules.Evaluate(trades, nil, rs, berlin)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range ev.Verdicts {
		if v.Outcome == rules.Broken {
			fmt.Println(v.TradeID, v.Kind, string(v.Evidence))
		}
	}
	s := rules.Streaks(ev, berlin)
	fmt.Printf("trades: current %d, best %d\n", s.Overall.Trades.Current, s.Overall.Trades.Best)
	// Output:
	// t3 maxTradesPerDay {"day":"2025-03-03","tradeOfDay":3,"n":2}
	// t3 noTradingWindow {"local":"2025-03-03T23:30:00+01:00","weekday":"mon","from":"23:00","to":"06:00"}
	// trades: current 1, best 2
}
