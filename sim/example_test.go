package sim_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

// Had I skipped my FOMO buy? The trader bought 1 BTC at 100, chased with another at 120 (labelled
// FOMO) and sold 1.5 at 110; BTC closed the window at 90.
func ExampleRun() {
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	fill := func(id string, side coach.Side, qty, price int64, h int) coach.Trade {
		return coach.Trade{UserID: "u1", Broker: "demo", ExtID: id, Symbol: "BTC-USDT", Side: side,
			Qty: decimal.New(qty, -1), Price: decimal.New(price, 0), Fee: decimal.NewNullDecimal(decimal.Zero),
			TS: t0.Add(time.Duration(h) * time.Hour)}
	}
	var candles []coach.Candle
	for h, p := range []float64{100, 100, 120, 110, 100, 90} {
		candles = append(candles, coach.Candle{Symbol: "BTC-USDT", Interval: coach.Hour1, OpenTime: t0.Add(time.Duration(h) * time.Hour),
			Open: p, High: p, Low: p, Close: p, Volume: 1})
	}
	res, err := sim.Run(sim.Input{
		Trades:   []coach.Trade{fill("b1", coach.Buy, 10, 100, 1), fill("b2", coach.Buy, 10, 120, 2), fill("s1", coach.Sell, 15, 110, 3)},
		Tags:     []coach.BiasTag{{TradeID: "b2", Label: coach.LabelFOMO, Features: json.RawMessage(`{}`)}},
		Candles:  candles,
		Scenario: sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO},
		Params:   sim.Params{From: t0, To: t0.Add(6 * time.Hour)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := res.PnL[0]
	fmt.Printf("actual %s %s, what-if %s, delta %s\n", p.Actual.Total, p.Quote, p.Counterfactual.Total, p.Delta.Total)
	for _, c := range res.Changes {
		fmt.Println(c.TradeID, c.Change, c.Qty)
	}
	// Output:
	// actual -10 USDT, what-if 10, delta 20
	// b2 skipped 1
	// s1 reduced 0.5
}
