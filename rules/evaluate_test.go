package rules_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

// evalCase is one table row of a rule kind's test: trades, candles, the rule, and the verdicts
// wanted. A wanted row with an empty Evidence does not check the evidence.
type evalCase struct {
	name    string
	trades  []coach.Trade
	candles []coach.Candle
	loc     *time.Location
	want    []row
}

func runEvalCases(t *testing.T, r rules.Rule, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := mustEvaluate(t, tc.trades, rules.SeriesOf(tc.candles), []rules.Rule{r}, tc.loc)
			got := rowsOf(ev.Verdicts)
			for i := range got {
				if i < len(tc.want) && tc.want[i].Evidence == "" {
					got[i].Evidence = ""
				}
			}
			if tc.want == nil {
				tc.want = []row{}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("verdicts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAvoidSpikeOverPct(t *testing.T) {
	t.Parallel()
	r := rule("spike", rules.AvoidSpikeOverPct{Pct: 10, LookbackHours: 3})
	// Bar h opens at h:00 and closes at h+1:00. Bar 4 closes 11% above bar 1.
	spike := bars("BTC-USDT", coach.Hour1, day0, []float64{100, 100, 100, 100, 111, 111, 111}, nil)
	withoutBar4 := append(append([]coach.Candle{}, spike[:4]...), spike[5:]...)
	fourHour := bars("BTC-USDT", coach.Hour4, day0, []float64{100, 100, 100, 120}, nil)
	runEvalCases(t, r, []evalCase{
		{name: "buy after a spike is broken", candles: spike,
			trades: []coach.Trade{buy("b1", at("5h"), "BTC-USDT", "1", "111")},
			want: []row{{Trade: "b1", Rule: "spike", At: "2025-03-03T05:00:00Z", Outcome: "broken",
				Evidence: `{"changePct":11,"pct":10,"from":"2025-03-03T02:00:00Z","to":"2025-03-03T05:00:00Z","fromClose":100,"toClose":111}`}}},
		{name: "a rise of exactly pct is not over it",
			candles: bars("BTC-USDT", coach.Hour1, day0, []float64{100, 100, 100, 100, 110}, nil),
			trades:  []coach.Trade{buy("b1", at("5h"), "BTC-USDT", "1", "110")},
			want:    []row{{Trade: "b1", Rule: "spike", At: "2025-03-03T05:00:00Z", Outcome: "followed"}}},
		{name: "no look-ahead: the bar still open at the fill is not read", candles: spike,
			trades: []coach.Trade{buy("b1", at("4h59m59s"), "BTC-USDT", "1", "110")},
			want: []row{{Trade: "b1", Rule: "spike", At: "2025-03-03T04:59:59Z", Outcome: "followed",
				Evidence: `{"changePct":0,"pct":10,"from":"2025-03-03T01:00:00Z","to":"2025-03-03T04:00:00Z","fromClose":100,"toClose":100}`}}},
		{name: "sells are not judged", candles: spike,
			trades: []coach.Trade{sell("s1", at("5h"), "BTC-USDT", "1", "111")}},
		{name: "a fall is no spike",
			candles: bars("BTC-USDT", coach.Hour1, day0, []float64{100, 100, 100, 100, 80}, nil),
			trades:  []coach.Trade{buy("b1", at("5h30m"), "BTC-USDT", "1", "80")},
			want:    []row{{Trade: "b1", Rule: "spike", At: "2025-03-03T05:30:00Z", Outcome: "followed"}}},
		{name: "the last closed bar missing is undecided", candles: withoutBar4,
			trades: []coach.Trade{buy("b1", at("5h10m"), "BTC-USDT", "1", "111")},
			want: []row{{Trade: "b1", Rule: "spike", At: "2025-03-03T05:10:00Z", Outcome: "undecided", Reason: "missingCandle",
				Evidence: `{"missing":"2025-03-03T05:00:00Z"}`}}},
		{name: "the lookback bar missing is undecided", candles: append(append([]coach.Candle{}, spike[:1]...), spike[2:]...),
			trades: []coach.Trade{buy("b1", at("5h"), "BTC-USDT", "1", "111")},
			want: []row{{Trade: "b1", Rule: "spike", At: "2025-03-03T05:00:00Z", Outcome: "undecided", Reason: "missingCandle",
				Evidence: `{"missing":"2025-03-03T02:00:00Z"}`}}},
		{name: "before the lookback is covered there are no candles", candles: spike,
			trades: []coach.Trade{buy("b1", at("3h"), "BTC-USDT", "1", "100")},
			want:   []row{{Trade: "b1", Rule: "spike", At: "2025-03-03T03:00:00Z", Outcome: "undecided", Reason: "noCandles"}}},
		{name: "another symbol's candles do not count", candles: spike,
			trades: []coach.Trade{buy("b1", at("5h"), "ETH-USDT", "1", "111")},
			want:   []row{{Trade: "b1", Rule: "spike", At: "2025-03-03T05:00:00Z", Outcome: "undecided", Reason: "noCandles", Evidence: `{}`}}},
		{name: "a lookback of 3h with 4h candles reads one bar back", candles: fourHour,
			trades: []coach.Trade{buy("b1", at("16h"), "BTC-USDT", "1", "120")},
			want: []row{{Trade: "b1", Rule: "spike", At: "2025-03-03T16:00:00Z", Outcome: "broken",
				Evidence: `{"changePct":20,"pct":10,"from":"2025-03-03T12:00:00Z","to":"2025-03-03T16:00:00Z","fromClose":100,"toClose":120}`}}},
		{name: "the shortest interval is used when several are given", candles: append(append([]coach.Candle{}, fourHour...), spike...),
			trades: []coach.Trade{buy("b1", at("5h"), "BTC-USDT", "1", "111")},
			want:   []row{{Trade: "b1", Rule: "spike", At: "2025-03-03T05:00:00Z", Outcome: "broken"}}},
	})
}

func TestMaxTradesPerDay(t *testing.T) {
	t.Parallel()
	r := rule("max2", rules.MaxTradesPerDay{N: 2})
	berlin := mustLoad("Europe/Berlin")
	runEvalCases(t, r, []evalCase{
		{name: "the third fill of a day is broken, whatever its side",
			trades: []coach.Trade{
				buy("a", at("9h"), "BTC-USDT", "1", "100"),
				sell("b", at("10h"), "BTC-USDT", "1", "100"),
				buy("c", at("11h"), "ETH-USDT", "1", "100"),
				buy("d", at("12h"), "ETH-USDT", "1", "100"),
				buy("e", at("33h"), "ETH-USDT", "1", "100"), // the next day starts over
			},
			want: []row{
				{Trade: "a", Rule: "max2", At: "2025-03-03T09:00:00Z", Outcome: "followed", Evidence: `{"day":"2025-03-03","tradeOfDay":1,"n":2}`},
				{Trade: "b", Rule: "max2", At: "2025-03-03T10:00:00Z", Outcome: "followed"},
				{Trade: "c", Rule: "max2", At: "2025-03-03T11:00:00Z", Outcome: "broken", Evidence: `{"day":"2025-03-03","tradeOfDay":3,"n":2}`},
				{Trade: "d", Rule: "max2", At: "2025-03-03T12:00:00Z", Outcome: "broken"},
				{Trade: "e", Rule: "max2", At: "2025-03-04T09:00:00Z", Outcome: "followed", Evidence: `{"day":"2025-03-04","tradeOfDay":1,"n":2}`},
			}},
		{name: "days are the user's: 23:30 UTC is already tomorrow in Berlin", loc: berlin,
			trades: []coach.Trade{
				buy("a", at("22h"), "BTC-USDT", "1", "100"),    // 23:00 Mon in Berlin
				buy("b", at("23h30m"), "BTC-USDT", "1", "100"), // 00:30 Tue
				buy("c", at("24h30m"), "BTC-USDT", "1", "100"), // 01:30 Tue
				buy("d", at("25h"), "BTC-USDT", "1", "100"),    // 02:00 Tue: third of Tuesday
			},
			want: []row{
				{Trade: "a", Rule: "max2", At: "2025-03-03T22:00:00Z", Outcome: "followed", Evidence: `{"day":"2025-03-03","tradeOfDay":1,"n":2}`},
				{Trade: "b", Rule: "max2", At: "2025-03-03T23:30:00Z", Outcome: "followed", Evidence: `{"day":"2025-03-04","tradeOfDay":1,"n":2}`},
				{Trade: "c", Rule: "max2", At: "2025-03-04T00:30:00Z", Outcome: "followed"},
				{Trade: "d", Rule: "max2", At: "2025-03-04T01:00:00Z", Outcome: "broken"},
			}},
		{name: "input order does not matter",
			trades: []coach.Trade{
				buy("c", at("11h"), "BTC-USDT", "1", "100"),
				buy("a", at("9h"), "BTC-USDT", "1", "100"),
				buy("b", at("9h"), "BTC-USDT", "1", "100"), // same TS: ExtID decides
			},
			want: []row{
				{Trade: "a", Rule: "max2", At: "2025-03-03T09:00:00Z", Outcome: "followed"},
				{Trade: "b", Rule: "max2", At: "2025-03-03T09:00:00Z", Outcome: "followed"},
				{Trade: "c", Rule: "max2", At: "2025-03-03T11:00:00Z", Outcome: "broken"},
			}},
	})
}

func TestCooldownAfterLoss(t *testing.T) {
	t.Parallel()
	r := rule("cool", rules.CooldownAfterLoss{Minutes: 60})
	runEvalCases(t, r, []evalCase{
		{name: "a buy within the cooldown after a loss is broken; at the cooldown's end it follows",
			trades: []coach.Trade{
				buy("b1", at("10h"), "BTC-USDT", "1", "100"),
				sell("s1", at("11h"), "BTC-USDT", "1", "90"),
				buy("b2", at("11h30m"), "BTC-USDT", "1", "90"),
				buy("b3", at("12h"), "BTC-USDT", "1", "90"),
			},
			want: []row{
				{Trade: "b1", Rule: "cool", At: "2025-03-03T10:00:00Z", Outcome: "followed",
					Evidence: `{"minutes":60,"lossTradeId":null,"lossAt":null,"pnl":null,"minutesSince":null}`},
				{Trade: "b2", Rule: "cool", At: "2025-03-03T11:30:00Z", Outcome: "broken",
					Evidence: `{"minutes":60,"lossTradeId":"s1","lossAt":"2025-03-03T11:00:00Z","pnl":"-10","quote":"USDT","minutesSince":30}`},
				{Trade: "b3", Rule: "cool", At: "2025-03-03T12:00:00Z", Outcome: "followed",
					Evidence: `{"minutes":60,"lossTradeId":"s1","lossAt":"2025-03-03T11:00:00Z","pnl":"-10","quote":"USDT","minutesSince":60}`},
			}},
		{name: "a loss on another symbol counts, a gain does not clear it",
			trades: []coach.Trade{
				buy("e1", at("9h"), "ETH-USDT", "1", "100"),
				buy("b1", at("9h"), "BTC-USDT", "1", "100"),
				sell("e2", at("10h"), "ETH-USDT", "1", "95"),    // loss
				sell("b2", at("10h5m"), "BTC-USDT", "1", "120"), // gain
				buy("b3", at("10h10m"), "BTC-USDT", "1", "120"),
			},
			want: []row{
				{Trade: "b1", Rule: "cool", At: "2025-03-03T09:00:00Z", Outcome: "followed"},
				{Trade: "e1", Rule: "cool", At: "2025-03-03T09:00:00Z", Outcome: "followed"},
				{Trade: "b3", Rule: "cool", At: "2025-03-03T10:10:00Z", Outcome: "broken",
					Evidence: `{"minutes":60,"lossTradeId":"e2","lossAt":"2025-03-03T10:00:00Z","pnl":"-5","quote":"USDT","minutesSince":10}`},
			}},
		{name: "fees make a flat round trip a loss",
			trades: func() []coach.Trade {
				s := sell("s1", at("10h"), "BTC-USDT", "1", "100")
				s.Fee, s.FeeAsset = decimal.NewNullDecimal(decimal.RequireFromString("0.1")), "USDT"
				return []coach.Trade{buy("b1", at("9h"), "BTC-USDT", "1", "100"), s, buy("b2", at("10h1m"), "BTC-USDT", "1", "100")}
			}(),
			want: []row{
				{Trade: "b1", Rule: "cool", At: "2025-03-03T09:00:00Z", Outcome: "followed"},
				{Trade: "b2", Rule: "cool", At: "2025-03-03T10:01:00Z", Outcome: "broken"},
			}},
		{name: "a buy at the same instant, after the losing sell in the trade order, is broken",
			trades: []coach.Trade{
				buy("a1", at("9h"), "BTC-USDT", "1", "100"),
				sell("a2", at("10h"), "BTC-USDT", "1", "90"),
				buy("a3", at("10h"), "BTC-USDT", "1", "90"),
			},
			want: []row{
				{Trade: "a1", Rule: "cool", At: "2025-03-03T09:00:00Z", Outcome: "followed"},
				{Trade: "a3", Rule: "cool", At: "2025-03-03T10:00:00Z", Outcome: "broken"},
			}},
	})
}

func TestMaxNotionalPerTrade(t *testing.T) {
	t.Parallel()
	r := rule("cap", rules.MaxNotionalPerTrade{Amount: decimal.NewFromInt(1000), Quote: "USDT"})
	runEvalCases(t, r, []evalCase{
		{name: "at the cap follows, above it is broken; other quotes and sells are not judged",
			trades: []coach.Trade{
				buy("a", at("1h"), "BTC-USDT", "0.01", "100000"),
				buy("b", at("2h"), "BTC-USDT", "0.0100001", "100000"),
				buy("c", at("3h"), "ETH-BTC", "100", "0.05"),
				sell("d", at("4h"), "BTC-USDT", "0.02", "100000"),
			},
			want: []row{
				{Trade: "a", Rule: "cap", At: "2025-03-03T01:00:00Z", Outcome: "followed", Evidence: `{"notional":"1000","amount":"1000","quote":"USDT"}`},
				{Trade: "b", Rule: "cap", At: "2025-03-03T02:00:00Z", Outcome: "broken", Evidence: `{"notional":"1000.01","amount":"1000","quote":"USDT"}`},
			}},
	})
}

func TestNoTradingWindow(t *testing.T) {
	t.Parallel()
	ny := mustLoad("America/New_York")
	// 2025-03-07 is a Friday. New York is UTC−5 until 2025-03-09 02:00, then UTC−4.
	nyAt := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			panic(err)
		}
		return tm
	}
	friNight := rule("night", rules.NoTradingWindow{From: "22:00", To: "02:00", Weekdays: []string{"fri"}})
	trade := func(id, local string) coach.Trade { return buy(id, nyAt(local), "BTC-USDT", "1", "100") }
	runEvalCases(t, friNight, []evalCase{
		{name: "a window across midnight on the day it starts", loc: ny,
			trades: []coach.Trade{
				trade("thu2300", "2025-03-06 23:00"),
				trade("fri0100", "2025-03-07 01:00"), // Thursday's night: not in the window
				trade("fri2159", "2025-03-07 21:59"),
				trade("fri2200", "2025-03-07 22:00"),
				trade("sat0159", "2025-03-08 01:59"),
				trade("sat0200", "2025-03-08 02:00"),
				trade("sat2230", "2025-03-08 22:30"),
			},
			want: []row{
				{Trade: "thu2300", Rule: "night", At: "2025-03-07T04:00:00Z", Outcome: "followed",
					Evidence: `{"local":"2025-03-06T23:00:00-05:00","weekday":"thu","from":"22:00","to":"02:00"}`},
				{Trade: "fri0100", Rule: "night", At: "2025-03-07T06:00:00Z", Outcome: "followed"},
				{Trade: "fri2159", Rule: "night", At: "2025-03-08T02:59:00Z", Outcome: "followed"},
				{Trade: "fri2200", Rule: "night", At: "2025-03-08T03:00:00Z", Outcome: "broken",
					Evidence: `{"local":"2025-03-07T22:00:00-05:00","weekday":"fri","from":"22:00","to":"02:00"}`},
				{Trade: "sat0159", Rule: "night", At: "2025-03-08T06:59:00Z", Outcome: "broken",
					Evidence: `{"local":"2025-03-08T01:59:00-05:00","weekday":"sat","from":"22:00","to":"02:00"}`},
				{Trade: "sat0200", Rule: "night", At: "2025-03-08T07:00:00Z", Outcome: "followed"},
				{Trade: "sat2230", Rule: "night", At: "2025-03-09T03:30:00Z", Outcome: "followed"},
			}},
		{name: "the same instants in UTC", loc: time.UTC,
			trades: []coach.Trade{trade("fri2200", "2025-03-07 22:00"), trade("fri1800", "2025-03-07 18:00")},
			want: []row{
				{Trade: "fri1800", Rule: "night", At: "2025-03-07T23:00:00Z", Outcome: "broken"},
				{Trade: "fri2200", Rule: "night", At: "2025-03-08T03:00:00Z", Outcome: "followed"},
			}},
	})
	morning := rule("open", rules.NoTradingWindow{From: "09:30", To: "10:00"})
	runEvalCases(t, morning, []evalCase{
		{name: "a window within the day, every day, across the DST change", loc: ny,
			trades: []coach.Trade{
				trade("sat0929", "2025-03-08 09:29"),
				trade("sat0930", "2025-03-08 09:30"),
				trade("sun0945", "2025-03-09 09:45"), // after the clocks moved forward
				trade("sun1000", "2025-03-09 10:00"),
			},
			want: []row{
				{Trade: "sat0929", Rule: "open", At: "2025-03-08T14:29:00Z", Outcome: "followed"},
				{Trade: "sat0930", Rule: "open", At: "2025-03-08T14:30:00Z", Outcome: "broken"},
				{Trade: "sun0945", Rule: "open", At: "2025-03-09T13:45:00Z", Outcome: "broken",
					Evidence: `{"local":"2025-03-09T09:45:00-04:00","weekday":"sun","from":"09:30","to":"10:00"}`},
				{Trade: "sun1000", Rule: "open", At: "2025-03-09T14:00:00Z", Outcome: "followed"},
			}},
	})
}
