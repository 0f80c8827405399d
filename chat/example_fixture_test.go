package chat_test

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/chat"
)

// fixtureNowX is Monday 7 December 2026, 18:00 UTC.
var fixtureNowX = time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)

// exampleInput is a small week of evidence: a FOMO buy of BTC on Tuesday 1 December and a
// panic sale of ETH on Thursday 3 December.
func exampleInput() chat.Input {
	trade := func(id, sym string, side coach.Side, ts time.Time, price string) coach.Trade {
		return coach.Trade{ID: id, UserID: "u", Broker: coach.BrokerDemo, ExtID: "x-" + id, Symbol: coach.Symbol(sym), Side: side,
			Price: decimal.RequireFromString(price), Qty: decimal.RequireFromString("1"), TS: ts}
	}
	t1 := trade("tr1", "BTC-USDT", coach.Buy, time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC), "97250.5")
	t2 := trade("tr2", "ETH-USDT", coach.Sell, time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC), "3412.25")
	return chat.Input{TimeZone: "UTC", Now: fixtureNowX, Tags: []chat.TaggedTrade{
		{Trade: t1, Tag: coach.BiasTag{ID: "tag1", UserID: "u", TradeID: t1.ID, Label: coach.LabelFOMO, Confidence: 0.94, CreatedAt: t1.TS,
			Features: json.RawMessage(`{"v":"2026.2","symbol":"BTC-USDT","side":"BUY","ev":{"rangePos":1.06,"priorReturn":0.0398,"abnormalVolume":4.12,"rsi":83.6483},"signals":["nearHigh","extremeReturn","abnormalVolume","stretched"],"th":{"rangeBars":3,"returnBars":3},"conv":{"interval":"1h"}}`)}},
		{Trade: t2, Tag: coach.BiasTag{ID: "tag2", UserID: "u", TradeID: t2.ID, Label: coach.LabelPanic, Confidence: 0.81, CreatedAt: t2.TS,
			Features: json.RawMessage(`{"v":"2026.2","symbol":"ETH-USDT","side":"SELL","ev":{"drawdown":0.123,"lossPct":0.0521,"volRatio":2.37,"rsi":24.7},"signals":["volSpike","oversold"],"th":{"rangeBars":24},"conv":{"interval":"1h"}}`)}},
	}}
}
