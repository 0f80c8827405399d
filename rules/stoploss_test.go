package rules_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

func TestStopLossPctSells(t *testing.T) {
	t.Parallel()
	r := rule("stop", rules.StopLossPct{Pct: 5})
	// No candles here: the buys' verdicts are undecided and only the sells' are of interest.
	runEvalCases(t, r, []evalCase{
		{name: "a loss beyond the stop is broken, at the stop it follows, a gain follows",
			trades: []coach.Trade{
				buy("b1", at("1h"), "BTC-USDT", "1", "100"),
				sell("s1", at("2h"), "BTC-USDT", "1", "94"),
				buy("b2", at("3h"), "BTC-USDT", "2", "100"),
				sell("s2", at("4h"), "BTC-USDT", "2", "95"),
				buy("b3", at("5h"), "BTC-USDT", "1", "100"),
				sell("s3", at("6h"), "BTC-USDT", "1", "130"),
			},
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T02:00:00Z", Outcome: "undecided", Reason: "noCandles"},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T02:00:00Z", Outcome: "broken",
					Evidence: `{"lossPct":6,"pct":5,"qty":"1","costBasis":"100","proceeds":"94"}`},
				{Trade: "b2", Rule: "stop", At: "2025-03-03T04:00:00Z", Outcome: "undecided", Reason: "noCandles"},
				{Trade: "s2", Rule: "stop", At: "2025-03-03T04:00:00Z", Outcome: "followed",
					Evidence: `{"lossPct":5,"pct":5,"qty":"2","costBasis":"200","proceeds":"190"}`},
				{Trade: "b3", Rule: "stop", At: "2025-03-03T06:00:00Z", Outcome: "undecided", Reason: "noCandles"},
				{Trade: "s3", Rule: "stop", At: "2025-03-03T06:00:00Z", Outcome: "followed",
					Evidence: `{"lossPct":-30,"pct":5,"qty":"1","costBasis":"100","proceeds":"130"}`},
			}},
		{name: "fees do not move the stop; FIFO lots set the cost",
			trades: func() []coach.Trade {
				b1 := buy("b1", at("1h"), "ETH-USDT", "1", "100")
				b2 := buy("b2", at("2h"), "ETH-USDT", "1", "80")
				s := sell("s1", at("3h"), "ETH-USDT", "1", "96") // FIFO: against b1 at 100: 4% down
				s.Fee, s.FeeAsset = decimal.NewNullDecimal(decimal.RequireFromString("5")), "USDT"
				return []coach.Trade{b1, b2, s}
			}(),
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T03:00:00Z", Outcome: "undecided", Reason: "noCandles"},
				{Trade: "b2", Rule: "stop", At: "2025-03-03T02:00:00Z", Outcome: "undecided", Reason: "noCandles"},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T03:00:00Z", Outcome: "followed",
					Evidence: `{"lossPct":4,"pct":5,"qty":"1","costBasis":"100","proceeds":"96"}`},
			}},
		{name: "a sell of a position whose entry is unknown is undecided",
			trades: []coach.Trade{sell("s1", at("1h"), "BTC-USDT", "1", "50")},
			want:   []row{{Trade: "s1", Rule: "stop", At: "2025-03-03T01:00:00Z", Outcome: "undecided", Reason: "noEntry", Evidence: `{}`}}},
	})
}

func TestStopLossPctHolds(t *testing.T) {
	t.Parallel()
	r := rule("stop", rules.StopLossPct{Pct: 5})
	// Hourly bars at 100; bar 3 (03:00–04:00) trades down to 94, past a 5% stop from 100.
	dip := bars("BTC-USDT", coach.Hour1, day0, flat(12, 100), map[int]float64{3: 94})
	gap := append(append([]coach.Candle{}, dip[:2]...), dip[3:]...) // bar 2 missing
	calm := bars("BTC-USDT", coach.Hour1, day0, flat(12, 100), map[int]float64{3: 96})
	runEvalCases(t, r, []evalCase{
		{name: "held through the stop: broken at the close of the bar that crossed it", candles: dip,
			trades: []coach.Trade{
				buy("b1", at("30m"), "BTC-USDT", "1", "100"),
				sell("s1", at("6h10m"), "BTC-USDT", "1", "99"),
			},
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T04:00:00Z", Outcome: "broken",
					Evidence: `{"entryPrice":"100","stopPrice":95,"pct":5,"low":94,"crossedAt":"2025-03-03T04:00:00Z"}`},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T06:10:00Z", Outcome: "followed"},
			}},
		{name: "sold before the crossing bar closed: followed at the sale", candles: dip,
			trades: []coach.Trade{
				buy("b1", at("30m"), "BTC-USDT", "1", "100"),
				sell("s1", at("3h30m"), "BTC-USDT", "1", "95.5"),
			},
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T03:30:00Z", Outcome: "followed",
					Evidence: `{"entryPrice":"100","stopPrice":95,"pct":5,"candles":2,"lowest":100,"soldAt":"2025-03-03T03:30:00Z"}`},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T03:30:00Z", Outcome: "followed"},
			}},
		{name: "the bar of the fill itself is not read (its low may come before the buy)", candles: dip,
			trades: []coach.Trade{
				buy("b1", at("3h30m"), "BTC-USDT", "1", "100"),
				sell("s1", at("8h"), "BTC-USDT", "1", "100"),
			},
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T08:00:00Z", Outcome: "followed",
					Evidence: `{"entryPrice":"100","stopPrice":95,"pct":5,"candles":4,"lowest":100,"soldAt":"2025-03-03T08:00:00Z"}`},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T08:00:00Z", Outcome: "followed"},
			}},
		{name: "still open and past the stop: broken", candles: dip,
			trades: []coach.Trade{buy("b1", at("1h"), "BTC-USDT", "1", "100")},
			want:   []row{{Trade: "b1", Rule: "stop", At: "2025-03-03T04:00:00Z", Outcome: "broken"}}},
		{name: "still open, not past the stop: undecided", candles: calm,
			trades: []coach.Trade{buy("b1", at("1h"), "BTC-USDT", "1", "100")},
			want: []row{{Trade: "b1", Rule: "stop", At: "2025-03-03T01:00:00Z", Outcome: "undecided", Reason: "open",
				Evidence: `{"entryPrice":"100","stopPrice":95,"pct":5,"candles":11}`}}},
		{name: "a gap while held, no crossing seen: undecided", candles: gap,
			trades: []coach.Trade{
				buy("b1", at("1h"), "BTC-USDT", "1", "100"),
				sell("s1", at("3h"), "BTC-USDT", "1", "100"),
			},
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T03:00:00Z", Outcome: "undecided", Reason: "missingCandle"},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T03:00:00Z", Outcome: "followed"},
			}},
		{name: "a gap does not hide a crossing that was seen", candles: gap,
			trades: []coach.Trade{
				buy("b1", at("1h"), "BTC-USDT", "1", "100"),
				sell("s1", at("5h"), "BTC-USDT", "1", "100"),
			},
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T04:00:00Z", Outcome: "broken"},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T05:00:00Z", Outcome: "followed"},
			}},
		{name: "half sold before the dip, half held through it: broken", candles: dip,
			trades: []coach.Trade{
				buy("b1", at("1h"), "BTC-USDT", "1", "100"),
				sell("s1", at("2h"), "BTC-USDT", "0.5", "100"),
				sell("s2", at("7h"), "BTC-USDT", "0.5", "100"),
			},
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T04:00:00Z", Outcome: "broken"},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T02:00:00Z", Outcome: "followed"},
				{Trade: "s2", Rule: "stop", At: "2025-03-03T07:00:00Z", Outcome: "followed"},
			}},
		{name: "a fee in the base asset leaves no lot behind", candles: dip,
			trades: func() []coach.Trade {
				b := buy("b1", at("1h"), "BTC-USDT", "1", "100")
				b.Fee, b.FeeAsset = decimal.NewNullDecimal(decimal.RequireFromString("0.001")), "BTC"
				return []coach.Trade{b, sell("s1", at("2h"), "BTC-USDT", "0.999", "100")}
			}(),
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T02:00:00Z", Outcome: "followed"},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T02:00:00Z", Outcome: "followed"},
			}},
		{name: "dust left behind counts as sold", candles: dip,
			trades: []coach.Trade{
				buy("b1", at("1h"), "BTC-USDT", "1", "100"),
				sell("s1", at("2h"), "BTC-USDT", "0.9995", "100"),
			},
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T02:00:00Z", Outcome: "followed"},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T02:00:00Z", Outcome: "followed"},
			}},
		{name: "FIFO: the older lot is sold first, the newer one held through the dip", candles: dip,
			trades: []coach.Trade{
				buy("b1", at("1h"), "BTC-USDT", "1", "100"),
				buy("b2", at("1h30m"), "BTC-USDT", "1", "100"),
				sell("s1", at("2h"), "BTC-USDT", "1", "100"),
			},
			want: []row{
				{Trade: "b1", Rule: "stop", At: "2025-03-03T02:00:00Z", Outcome: "followed"},
				{Trade: "b2", Rule: "stop", At: "2025-03-03T04:00:00Z", Outcome: "broken"},
				{Trade: "s1", Rule: "stop", At: "2025-03-03T02:00:00Z", Outcome: "followed"},
			}},
	})
}

func TestStopLossPctEachRuleItsOwnStop(t *testing.T) {
	t.Parallel()
	dip := bars("BTC-USDT", coach.Hour1, day0, flat(8, 100), map[int]float64{3: 94})
	trades := []coach.Trade{buy("b1", at("1h"), "BTC-USDT", "1", "100")}
	ev := mustEvaluate(t, trades, rules.SeriesOf(dip),
		[]rules.Rule{rule("tight", rules.StopLossPct{Pct: 5}), rule("loose", rules.StopLossPct{Pct: 10})}, nil)
	got := rowsOf(ev.Verdicts)
	if len(got) != 2 || got[0].Outcome != "broken" || got[1].Outcome != "undecided" || got[1].Reason != "open" {
		t.Fatalf("verdicts = %+v; want tight broken, loose open", got)
	}
}
