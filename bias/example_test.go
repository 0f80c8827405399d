package bias_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// Score labels trades held in slices: here a buy at the top of a pump on five times the volume of
// the same hour on the days before.
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
	// Output: t1 FOMO 0.9653 <nil> A look at this BTC-USDT entry: at its 3-hour high, up 7.3% over the previous 3 hours, on 5.0 times its usual volume and above its upper Bollinger band. What told you it was time to buy?
}

// Researchers pool Odean's statistic over accounts by summing the counts behind each account's
// ratios (Result.Account.Disposition.Counts() of each scored account), as Odean (1998) did.
func ExamplePoolDisposition() {
	accounts := []bias.DispositionCounts{
		{Moments: 40, RG: 12, PG: 60, RL: 5, PL: 70},
		{Moments: 25, RG: 9, PG: 31, RL: 6, PL: 44},
		{Moments: 3, RG: 1, PG: 2}, // too few losses on its own
	}
	for _, a := range accounts {
		d := bias.DispositionFromCounts(a, bias.DefaultConfig().MinEvents)
		line := fmt.Sprintf("account: PGR %.3f PLR %.3f", d.PGR, d.PLR)
		if d.Insufficient != "" {
			line += " (" + d.Insufficient + ")"
		}
		fmt.Println(line)
	}
	p := bias.PoolDisposition(accounts...)
	fmt.Printf("pooled: RG %d PG %d RL %d PL %d: PGR %.4f PLR %.4f DE %.4f SE %.4f t %.2f\n",
		p.RG, p.PG, p.RL, p.PL, p.PGR, p.PLR, p.DE, p.SE, p.T)
	// Output:
	// account: PGR 0.167 PLR 0.067
	// account: PGR 0.225 PLR 0.120
	// account: PGR 0.333 PLR NaN (insufficient data: 3 gains (realized or paper) and 0 losses, need at least 5 of each)
	// pooled: RG 22 PG 93 RL 11 PL 114: PGR 0.1913 PLR 0.0880 DE 0.1033 SE 0.0446 t 2.32
}
