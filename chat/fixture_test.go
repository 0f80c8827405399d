package chat

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/sim"
)

// fixtureNow is Monday 7 December 2026, 18:00 UTC: the evidence's "now".
var fixtureNow = time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)

// Secrets a fixture trade and user carry that must never reach a prompt.
const (
	fixtureEmail = "trader.jane@example.com"
	fixtureExtID = "EXT-9f8e7d6c5b4a"
	fixtureOrder = "ORDER-55443322"
	fixtureConn  = "conn-secret-77"
)

func fixtureTrade(id, symbol string, side coach.Side, ts time.Time, price, qty string) coach.Trade {
	return coach.Trade{ID: id, UserID: "user1", Broker: coach.BrokerDemo, ExtID: fixtureExtID + id, Symbol: coach.Symbol(symbol),
		Side: side, Price: decimal.RequireFromString(price), Qty: decimal.RequireFromString(qty), TS: ts,
		OrderID: fixtureOrder + id, ConnectionID: fixtureConn, ExchangeTradeID: "XCH-" + id}
}

func fixtureTag(id string, tr coach.Trade, label string, conf float64, features string) TaggedTrade {
	return TaggedTrade{Tag: coach.BiasTag{ID: id, UserID: "user1", TradeID: tr.ID, Label: label, Confidence: conf,
		Features: json.RawMessage(features), CreatedAt: tr.TS, Revision: 1}, Trade: tr}
}

// fixtureInput is a week of evidence: five tags, a month's disposition effect, rule streaks, the
// weekly digest and a skip-FOMO simulation.
func fixtureInput() Input {
	t1 := fixtureTrade("tr1", "BTC-USDT", coach.Buy, time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), "97250.5", "0.05")
	t2 := fixtureTrade("tr2", "ETH-USDT", coach.Sell, time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC), "3412.25", "1.5")
	t3 := fixtureTrade("tr3", "SOL-USDT", coach.Buy, time.Date(2026, 12, 4, 16, 10, 0, 0, time.UTC), "231.4", "12")
	t4 := fixtureTrade("tr4", "BTC-USDT", coach.Sell, time.Date(2026, 12, 5, 20, 45, 0, 0, time.UTC), "95010", "0.08")
	t5 := fixtureTrade("tr5", "ETH-USDT", coach.Sell, time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC), "3188.6", "2")
	w := bias.AccountWindow{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	w.Disposition = bias.Disposition{Moments: 23, RG: 14, PG: 9, RL: 5, PL: 18, PGR: 0.6087, PLR: 0.2174, DE: 0.3913, SE: 0.12, T: 3.26,
		Clustered: bias.Clustered{Clusters: 11, SE: 0.13, T: 3.01}}
	w.LossChasing = bias.LossChasing{Insufficient: "too few entries after a loss", PLoss: 0.5, Clustered: bias.Clustered{T: 1}}
	d := decimal.RequireFromString
	return Input{
		TimeZone: "UTC", Now: fixtureNow, Config: bias.DefaultConfig(),
		Tags: []TaggedTrade{
			fixtureTag("tag1", t1, coach.LabelFOMO, 0.94, `{"v":"2026.2","symbol":"BTC-USDT","side":"BUY","ev":{"rangePos":1.06109,"runUp":0.0449977,"priorReturn":0.0398076,"abnormalVolume":4.12362,"bandZ":2.03684,"rsi":83.6483},"signals":["nearHigh","runUp","extremeReturn","abnormalVolume","stretched"],"th":{"rangeBars":3,"returnBars":3,"bandK":2,"rsiOverbought":70},"conv":{"interval":"1h"}}`),
			fixtureTag("tag2", t2, coach.LabelPanic, 0.81, `{"v":"2026.2","symbol":"ETH-USDT","side":"SELL","ev":{"drawdown":0.123,"lossPct":0.0521,"volRatio":2.37,"rsi":24.7},"signals":["volSpike","oversold"],"th":{"rangeBars":24},"conv":{"interval":"1h"}}`),
			fixtureTag("tag3", t3, coach.LabelRevenge, 0.77, `{"v":"2026.2","symbol":"SOL-USDT","side":"BUY","ev":{"minutesAfterLoss":18,"sizeRatio":2.6,"lossSymbol":"ETH-USDT","baselineN":14},"signals":["afterLoss","bigger"],"th":{},"conv":{"interval":"1h"}}`),
			fixtureTag("tag4", t4, coach.LabelOvertrading, 0.66, `{"v":"2026.2","symbol":"BTC-USDT","side":"SELL","ev":{"day":"2026-12-05","dayTrades":14,"baselineMedian":4,"ratio":3.5,"baselineDays":21},"signals":["overtraded"],"th":{},"conv":{"interval":"1h"}}`),
			fixtureTag("tag5", t5, coach.LabelHoldingLosers, 0.72, `{"v":"2026.2","symbol":"ETH-USDT","side":"SELL","ev":{"holdHours":245.21,"meanWinnerHoldHours":31.5,"tradeRatio":7.78,"ratio":5.2,"winners":9,"losers":6,"lossPct":0.184},"signals":["heldLong"],"th":{},"conv":{"interval":"1h"}}`),
		},
		Windows: []bias.AccountWindow{w},
		Streaks: &rules.StreakReport{Overall: rules.Standing{Trades: rules.Streak{Current: 4, Best: 9}, Days: rules.Streak{Current: 2, Best: 5}, Followed: 31, Broken: 6}},
		Digest: &digest.Payload{V: 1, Week: "2026-W49", TimeZone: "UTC", PeriodStart: coach.DateOf(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)),
			PeriodEnd: coach.DateOf(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)), Quote: "USDT", TradeCount: 37, ActiveDays: 6, Closes: 15,
			Realized: d("-1234.5"), Fees: d("87.6"),
			CountsByBias: map[string]int{coach.LabelFOMO: 3, coach.LabelPanic: 2, coach.LabelRevenge: 1, coach.LabelOvertrading: 1, coach.LabelHoldingLosers: 1},
			PnLByBias:    map[string]digest.Bucket{coach.LabelFOMO: {Realized: d("-412.8"), Trades: 3}, coach.LabelPanic: {Realized: d("-655.3"), Trades: 2}},
			Days: []digest.Day{{Date: coach.DateOf(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)), Trades: 6, Realized: d("-120.4")},
				{Date: coach.DateOf(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)), Trades: 14, Realized: d("-310.2")}}},
		Simulations: []sim.Result{{Scenario: sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO}, From: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
			PnL: []sim.PnL{{Quote: "USDT", Actual: sim.Figures{Total: d("-1234.5")}, Counterfactual: sim.Figures{Total: d("-821.7")}, Delta: sim.Figures{Total: d("412.8")}}}}},
	}
}

// fixtureEvidence gathers fixtureInput.
func fixtureEvidence(t testing.TB) Evidence {
	t.Helper()
	ev, err := Gather(fixtureInput())
	if err != nil {
		t.Fatal(err)
	}
	return ev
}
