package bias_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// Score labels trades held in slices: here a buy at the top of a pump on five times the volume.
func Example() {
	sym, start := coach.MustParseSymbol("BTC-USDT"), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var candles []coach.Candle
	for i := range 200 { // 190 calm hours, then a pump
		p, v := 100+float64(i%3), 10.0
		if i >= 190 {
			p, v = 100+3*float64(i-188), 50
		}
		candles = append(candles, coach.Candle{Symbol: sym, Interval: coach.Hour1, Volume: v,
			OpenTime: start.Add(time.Duration(i) * time.Hour), Open: p, High: p + 1, Low: p - 1, Close: p})
	}
	buy := coach.Trade{ID: "t1", Broker: "demo", ExtID: "1", Symbol: sym, Side: coach.Buy,
		Qty: decimal.NewFromInt(1), Price: decimal.NewFromInt(134), TS: start.Add(200 * time.Hour)}
	res, err := bias.Score([]coach.Trade{buy}, bias.SeriesOf(candles), bias.DefaultConfig())
	for _, tag := range res.Tags {
		fmt.Println(tag.TradeID, tag.Label, tag.Confidence, err, bias.Reflect(tag))
	}
	// Output: t1 FOMO 0.971 <nil> Heads up: you bought BTC-USDT at 100.0% of its 24-bar range, after a +31.7% run over 24 bars, on 4.1× normal volume and above the upper Bollinger band. Entries like this often land near the top of the excitement. What made it feel urgent?
}
