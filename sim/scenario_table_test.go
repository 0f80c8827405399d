package sim_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

// tableCase is one scenario run with the P/L and changes it must give.
type tableCase struct {
	name     string
	trades   []coach.Trade
	tags     []coach.BiasTag
	candles  []coach.Candle
	rules    []coach.Rule
	scenario sim.Scenario
	hours    int
	// want is the single quote asset's P/L: actual and counterfactual realized and unrealized.
	actual, counter sim.Figures
	changes         []sim.Change
	check           func(t *testing.T, res sim.Result)
}

func (tc tableCase) run(t *testing.T) {
	t.Helper()
	res := mustRun(t, sim.Input{Trades: tc.trades, Tags: tc.tags, Candles: tc.candles, Rules: tc.rules,
		Scenario: tc.scenario, Params: window(tc.hours)})
	got := onlyPnL(t, res)
	want := sim.PnL{Quote: "USDT", Actual: tc.actual, Counterfactual: tc.counter, Delta: sim.Figures{
		Realized:   tc.counter.Realized.Sub(tc.actual.Realized),
		Unrealized: tc.counter.Unrealized.Sub(tc.actual.Unrealized),
		Total:      tc.counter.Total.Sub(tc.actual.Total),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("P/L (-want +got):\n%s", diff)
	}
	if tc.changes == nil {
		tc.changes = []sim.Change{}
	}
	if diff := cmp.Diff(tc.changes, res.Changes, cmpopts.IgnoreFields(sim.Change{}, "Detail")); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	for _, c := range res.Changes {
		if c.Detail == "" {
			t.Errorf("change %+v: no detail", c)
		}
	}
	if tc.check != nil {
		tc.check(t, res)
	}
}

// closes returns flat hourly candles of BTC-USDT from t0 at the prices given.
func closes(ps ...float64) []coach.Candle {
	bs := make([]bar, len(ps))
	for i, p := range ps {
		bs[i] = bar{p, p, p, p}
	}
	return hourly(btc, bs...)
}

func hm(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

func change(id, kind, qty string) sim.Change {
	return sim.Change{TradeID: id, Symbol: btc, Change: kind, Qty: d(qty)}
}

func changeAt(id, kind, qty string, at time.Duration, price string) sim.Change {
	c := change(id, kind, qty)
	c.At, c.Price = t0.Add(at), d(price)
	return c
}

func TestSkipLabel(t *testing.T) {
	t.Parallel()
	fomo := sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO}
	for _, tc := range []tableCase{
		{
			name:    "no labelled trade changes nothing",
			trades:  trades(buy("b1", "1", "100", hm(0, 30)), sell("s1", "1", "120", hm(2, 30))),
			tags:    []coach.BiasTag{tag("b1", coach.LabelDiscipline)},
			candles: closes(100, 110, 120, 130), scenario: fomo, hours: 4,
			actual: figures("20", "0"), counter: figures("20", "0"),
		},
		{
			name: "a labelled buy never sold leaves the open position",
			trades: trades(buy("b1", "1", "100", hm(0, 30)), buy("b2", "2", "110", hm(1, 30)),
				sell("s1", "1", "120", hm(2, 30))),
			tags:    []coach.BiasTag{tag("b2", coach.LabelFOMO)},
			candles: closes(100, 110, 120, 130), scenario: fomo, hours: 4,
			actual: figures("20", "40"), counter: figures("20", "0"),
			changes: []sim.Change{change("b2", sim.ChangeSkipped, "2")},
		},
		{
			name: "the quantity sold out of a labelled lot leaves every sell that sold it",
			trades: trades(buy("b1", "1", "100", hm(0, 30)), buy("b2", "1", "100", hm(0, 40)),
				sell("s1", "0.5", "110", hm(1, 30)), sell("s2", "1", "120", hm(2, 30))),
			tags:    []coach.BiasTag{tag("b1", coach.LabelFOMO)},
			candles: closes(100, 110, 120, 120), scenario: fomo, hours: 4,
			actual: figures("25", "10"), counter: figures("10", "10"),
			changes: []sim.Change{
				change("b1", sim.ChangeSkipped, "1"),
				change("s1", sim.ChangeSkipped, "0.5"),
				change("s2", sim.ChangeReduced, "0.5"),
			},
		},
		{
			name:    "a labelled sell is kept",
			trades:  trades(buy("b1", "1", "100", hm(0, 30)), sell("s1", "1", "120", hm(2, 30))),
			tags:    []coach.BiasTag{tag("s1", coach.LabelFOMO)},
			candles: closes(100, 110, 120), scenario: fomo, hours: 3,
			actual: figures("20", "0"), counter: figures("20", "0"),
			check: func(t *testing.T, res sim.Result) {
				if res.Data.Labelled != 0 {
					t.Errorf("labelled = %d, want 0", res.Data.Labelled)
				}
			},
		},
		{
			// s1 moves 1.51 BTC out (1.5 + a 0.01 BTC fee): 1 from b1, 0.51 from b2. Without b1 it
			// sells 0.51 and its fee, 0.01 × 110 = 1.1 USDT, shrinks to 1.1 × 0.51 / 1.51.
			name: "a base-asset fee of a reduced sell is restated in the quote asset",
			trades: trades(buy("b1", "1", "100", hm(0, 30)), buy("b2", "1", "100", hm(0, 40)),
				sell("s1", "1.5", "110", hm(2, 30), "0.01 BTC")),
			tags:    []coach.BiasTag{tag("b1", coach.LabelFOMO)},
			candles: closes(100, 100, 110, 110), scenario: fomo, hours: 4,
			actual: figures("14", "4.9"), counter: figures("4.728476821192", "4.9"),
			changes: []sim.Change{change("b1", sim.ChangeSkipped, "1"), change("s1", sim.ChangeReduced, "1")},
		},
		{
			name: "trades and tags outside the window are not simulated",
			trades: trades(buy("b0", "1", "90", -time.Hour), buy("b1", "1", "100", hm(0, 30)),
				sell("s1", "1", "120", hm(2, 30)), buy("b9", "1", "100", 10*time.Hour)),
			tags:    []coach.BiasTag{tag("b0", coach.LabelFOMO), tag("b9", coach.LabelFOMO)},
			candles: closes(100, 110, 120), scenario: fomo, hours: 3,
			actual: figures("20", "0"), counter: figures("20", "0"),
			check: func(t *testing.T, res sim.Result) {
				if res.Data.Trades != 2 {
					t.Errorf("trades = %d, want the 2 in the window", res.Data.Trades)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) { t.Parallel(); tc.run(t) })
	}
}

func TestNoRevenge(t *testing.T) {
	t.Parallel()
	tc := tableCase{
		trades: trades(buy("b1", "1", "100", hm(0, 30)), buy("b2", "1", "100", hm(0, 40)),
			sell("s1", "1", "110", hm(1, 30))),
		tags:     []coach.BiasTag{tag("b1", coach.LabelRevenge), tag("b2", coach.LabelFOMO)},
		candles:  closes(100, 110, 110),
		scenario: sim.Scenario{Kind: sim.KindNoRevenge}, hours: 3,
		actual: figures("10", "10"), counter: figures("0", "10"),
		changes: []sim.Change{change("b1", sim.ChangeSkipped, "1"), change("s1", sim.ChangeSkipped, "1")},
	}
	tc.run(t)
}

func TestHoldInstead(t *testing.T) {
	t.Parallel()
	hold := func(until string, n int) sim.Scenario {
		return sim.Scenario{Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: until, N: n}
	}
	panicky := trades(buy("b1", "1", "100", hm(0, 30)), sell("s1", "1", "90", hm(1, 30), "0.09 USDT"))
	panicTag := []coach.BiasTag{tag("s1", coach.LabelPanic)}
	for _, tc := range []tableCase{
		{
			name:   "windowEnd holds to the window end, marked to market",
			trades: panicky, tags: panicTag, candles: closes(100, 90, 95, 105),
			scenario: hold(sim.UntilWindowEnd, 0), hours: 4,
			actual: figures("-10.09", "0"), counter: figures("0", "5"),
			changes: []sim.Change{change("s1", sim.ChangeHeld, "1")},
		},
		{
			name: "nextSell sells with the next unlabelled sell, past other labelled ones",
			trades: trades(buy("b1", "2", "100", hm(0, 30)), sell("s1", "0.5", "90", hm(1, 30)),
				sell("s2", "0.5", "85", hm(2, 30)), sell("s3", "0.5", "110", hm(3, 30))),
			tags:     []coach.BiasTag{tag("s1", coach.LabelPanic), tag("s2", coach.LabelPanic)},
			candles:  closes(100, 90, 85, 110, 120),
			scenario: hold(sim.UntilNextSell, 0), hours: 5,
			actual: figures("-7.5", "10"), counter: figures("15", "10"),
			changes: []sim.Change{
				changeAt("s1", sim.ChangeHeld, "0.5", hm(3, 30), "110"),
				changeAt("s2", sim.ChangeHeld, "0.5", hm(3, 30), "110"),
			},
		},
		{
			name:   "nextSell without a later sell holds to the window end",
			trades: panicky, tags: panicTag, candles: closes(100, 90, 95, 105),
			scenario: hold(sim.UntilNextSell, 0), hours: 4,
			actual: figures("-10.09", "0"), counter: figures("0", "5"),
			changes: []sim.Change{change("s1", sim.ChangeHeld, "1")},
		},
		{
			// The close of the second candle after the sell's is at 4h: the counterfactual sells
			// there at 105 and pays the panic sell's 0.1 % rate, 0.105.
			name:   "nCandles sells at the close of the Nth candle after the sell's",
			trades: panicky, tags: panicTag, candles: closes(100, 90, 95, 105, 107),
			scenario: hold(sim.UntilNCandles, 2), hours: 5,
			actual: figures("-10.09", "0"), counter: figures("4.895", "0"),
			changes: []sim.Change{changeAt("s1", sim.ChangeHeld, "1", 4*time.Hour, "105")},
		},
		{
			name:   "nCandles past the window end holds to the window end",
			trades: panicky, tags: panicTag, candles: closes(100, 90, 95, 105),
			scenario: hold(sim.UntilNCandles, 10), hours: 4,
			actual: figures("-10.09", "0"), counter: figures("0", "5"),
			changes: []sim.Change{change("s1", sim.ChangeHeld, "1")},
		},
		{
			name:   "nCandles over a gap sells at the last close before the candle due",
			trades: trades(buy("b1", "1", "100", hm(0, 30)), sell("s1", "1", "90", hm(0, 45))),
			tags:   []coach.BiasTag{tag("s1", coach.LabelPanic)},
			candles: func() []coach.Candle {
				cs := closes(100, 97, 99, 110)
				return append(cs[:2], cs[3]) // the bar 2:00-3:00 is missing
			}(),
			scenario: hold(sim.UntilNCandles, 2), hours: 4,
			actual: figures("-10", "0"), counter: figures("-3", "0"),
			changes: []sim.Change{changeAt("s1", sim.ChangeHeld, "1", 2*time.Hour, "97")},
		},
		{
			name:   "without candles the held quantity is marked at the last fill",
			trades: panicky, tags: panicTag,
			scenario: hold(sim.UntilNCandles, 2), hours: 4,
			actual: figures("-10.09", "0"), counter: figures("0", "-10"),
			changes: []sim.Change{change("s1", sim.ChangeHeld, "1")},
			check: func(t *testing.T, res sim.Result) {
				want := []sim.Mark{{Symbol: btc, Price: d("90"), At: t0.Add(hm(1, 30)), Fill: true}}
				if diff := cmp.Diff(want, res.Data.Marks); diff != "" {
					t.Errorf("marks (-want +got):\n%s", diff)
				}
			},
		},
		{
			name:   "a labelled buy is kept",
			trades: panicky, tags: []coach.BiasTag{tag("b1", coach.LabelPanic)}, candles: closes(100, 90, 95, 105),
			scenario: hold(sim.UntilWindowEnd, 0), hours: 4,
			actual: figures("-10.09", "0"), counter: figures("-10.09", "0"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) { t.Parallel(); tc.run(t) })
	}
}

func rule(id, kind, params string, active bool) coach.Rule {
	return coach.Rule{ID: id, UserID: "u1", Kind: kind, Params: json.RawMessage(params), Active: active, CreatedAt: t0}
}

func TestFollowRule(t *testing.T) {
	t.Parallel()
	exits := sim.Scenario{Kind: sim.KindFollowRule, StopLossPct: 5, TakeProfitPct: 10}
	roundTrip := func(exit string) []coach.Trade {
		return trades(buy("b1", "1", "100", hm(0, 30)), sell("s1", "1", exit, hm(4, 30)))
	}
	withBar2 := func(b bar) []coach.Candle {
		return hourly(btc, bar{100, 100.5, 99.5, 100}, bar{100, 103, 99, 102}, b, bar{101, 101, 100, 101}, bar{101, 101, 100, 101})
	}
	capNotional := rule("r1", "maxNotionalPerTrade", `{"amount":"500","quote":"USDT"}`, true)
	for _, tc := range []tableCase{
		{
			name:   "take profit",
			trades: roundTrip("101"), candles: withBar2(bar{102, 111, 101, 108}), scenario: exits, hours: 5,
			actual: figures("1", "0"), counter: figures("10", "0"),
			changes: []sim.Change{
				changeAt("b1", sim.ChangeExitAdded, "1", 3*time.Hour, "110"),
				change("s1", sim.ChangeSkipped, "1"),
			},
		},
		{
			name:   "stop first when one candle reaches both",
			trades: roundTrip("101"), candles: withBar2(bar{100, 111, 94, 100}), scenario: exits, hours: 5,
			actual: figures("1", "0"), counter: figures("-5", "0"),
			changes: []sim.Change{
				changeAt("b1", sim.ChangeExitAdded, "1", 3*time.Hour, "95"),
				change("s1", sim.ChangeSkipped, "1"),
			},
		},
		{
			name:   "a candle opening below the stop fills at its open",
			trades: roundTrip("80"), candles: withBar2(bar{90, 92, 88, 91}), scenario: exits, hours: 5,
			actual: figures("-20", "0"), counter: figures("-10", "0"),
			changes: []sim.Change{
				changeAt("b1", sim.ChangeExitAdded, "1", 3*time.Hour, "90"),
				change("s1", sim.ChangeSkipped, "1"),
			},
		},
		{
			name:   "a candle opening above the take profit fills there even if it reaches the stop",
			trades: roundTrip("101"), candles: withBar2(bar{115, 116, 94, 100}), scenario: exits, hours: 5,
			actual: figures("1", "0"), counter: figures("15", "0"),
			changes: []sim.Change{
				changeAt("b1", sim.ChangeExitAdded, "1", 3*time.Hour, "115"),
				change("s1", sim.ChangeSkipped, "1"),
			},
		},
		{
			name: "the exit sells what is left of the lot and later sells give it back",
			trades: trades(buy("b1", "2", "100", hm(0, 30)), sell("s1", "1", "101", hm(1, 30)),
				sell("s2", "1", "80", hm(4, 30))),
			candles: hourly(btc, bar{100, 100, 100, 100}, bar{100, 101, 99, 101}, bar{101, 101, 94, 95},
				bar{95, 95, 85, 85}, bar{85, 85, 80, 80}),
			scenario: sim.Scenario{Kind: sim.KindFollowRule, StopLossPct: 5}, hours: 5,
			actual: figures("-19", "0"), counter: figures("-4", "0"),
			changes: []sim.Change{
				changeAt("b1", sim.ChangeExitAdded, "1", 3*time.Hour, "95"),
				change("s2", sim.ChangeSkipped, "1"),
			},
		},
		{
			name:   "no crossing changes nothing",
			trades: roundTrip("100"), candles: closes(100, 100, 100, 100, 100), scenario: exits, hours: 5,
			actual: figures("0", "0"), counter: figures("0", "0"),
		},
		{
			name:     "the candle the buy falls in is not watched",
			trades:   trades(buy("b1", "1", "100", hm(0, 30)), sell("s1", "1", "100", hm(1, 30))),
			candles:  hourly(btc, bar{100, 100, 90, 100}, bar{100, 100, 99, 100}),
			scenario: exits, hours: 2,
			actual: figures("0", "0"), counter: figures("0", "0"),
		},
		{
			name: "a buy that broke a rule is blocked with what was sold of it",
			trades: trades(buy("b1", "1", "100", hm(0, 30)), buy("b2", "10", "100", hm(1, 30)),
				sell("s1", "11", "110", hm(2, 30))),
			candles: closes(100, 100, 110, 110), rules: []coach.Rule{capNotional},
			scenario: sim.Scenario{Kind: sim.KindFollowRule}, hours: 4,
			actual: figures("110", "0"), counter: figures("10", "0"),
			changes: []sim.Change{change("b2", sim.ChangeBlocked, "10"), change("s1", sim.ChangeReduced, "10")},
			check: func(t *testing.T, res sim.Result) {
				if diff := cmp.Diff([]string{"r1"}, res.Data.Rules); diff != "" || res.Data.Labelled != 1 {
					t.Errorf("rules (-want +got):\n%s; labelled = %d, want 1", diff, res.Data.Labelled)
				}
			},
		},
		{
			name: "an inactive rule is followed only when named",
			trades: trades(buy("b1", "1", "100", hm(0, 30)), buy("b2", "10", "100", hm(1, 30)),
				sell("s1", "11", "110", hm(2, 30))),
			candles: closes(100, 100, 110, 110), rules: []coach.Rule{rule("r1", "maxNotionalPerTrade", `{"amount":"500","quote":"USDT"}`, false)},
			scenario: sim.Scenario{Kind: sim.KindFollowRule}, hours: 4,
			actual: figures("110", "0"), counter: figures("110", "0"),
		},
		{
			name: "a named inactive rule is followed",
			trades: trades(buy("b1", "1", "100", hm(0, 30)), buy("b2", "10", "100", hm(1, 30)),
				sell("s1", "11", "110", hm(2, 30))),
			candles: closes(100, 100, 110, 110), rules: []coach.Rule{rule("r1", "maxNotionalPerTrade", `{"amount":"500","quote":"USDT"}`, false)},
			scenario: sim.Scenario{Kind: sim.KindFollowRule, RuleIDs: []string{"r1"}}, hours: 4,
			actual: figures("110", "0"), counter: figures("10", "0"),
			changes: []sim.Change{change("b2", sim.ChangeBlocked, "10"), change("s1", sim.ChangeReduced, "10")},
		},
		{
			// The stopLossPct rule breaks b1 (held through its stop) but is not an entry rule: it
			// gives the exit instead.
			name:   "a stopLossPct rule gives the stop",
			trades: roundTrip("90"), rules: []coach.Rule{rule("r2", "stopLossPct", `{"pct":5}`, true)},
			candles:  withBar2(bar{100, 101, 94, 95}),
			scenario: sim.Scenario{Kind: sim.KindFollowRule}, hours: 5,
			actual: figures("-10", "0"), counter: figures("-5", "0"),
			changes: []sim.Change{
				changeAt("b1", sim.ChangeExitAdded, "1", 3*time.Hour, "95"),
				change("s1", sim.ChangeSkipped, "1"),
			},
			check: func(t *testing.T, res sim.Result) {
				if res.Data.StopLossPct != 5 || res.Data.Labelled != 0 {
					t.Errorf("data = %+v, want stop 5 and nothing blocked", res.Data)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) { t.Parallel(); tc.run(t) })
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	good := trades(buy("b1", "1", "100", hm(0, 30)), sell("s1", "1", "110", hm(1, 30)))
	skip := sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO}
	for _, tc := range []struct {
		name string
		in   sim.Input
		code coach.Code
	}{
		{"no scenario", sim.Input{Trades: good, Params: window(2)}, coach.EINVALID},
		{"window backwards", sim.Input{Trades: good, Scenario: skip, Params: sim.Params{From: t0, To: t0.Add(-time.Hour)}}, coach.EINVALID},
		{"two users", sim.Input{Trades: func() []coach.Trade {
			ts := trades(buy("b1", "1", "100", hm(0, 30)), sell("s1", "1", "110", hm(1, 30)))
			ts[1].UserID = "u2"
			return ts
		}(), Scenario: skip, Params: window(2)}, coach.EINVALID},
		{"two trades with one id", sim.Input{Trades: trades(buy("b1", "1", "100", hm(0, 30)), sell("b1", "1", "110", hm(1, 30))), Scenario: skip, Params: window(2)}, coach.EINVALID},
		{"zero quantity", sim.Input{Trades: trades(buy("b1", "0", "100", hm(0, 30))), Scenario: skip, Params: window(2)}, coach.EINVALID},
		{"bad symbol", sim.Input{Trades: func() []coach.Trade {
			ts := trades(buy("b1", "1", "100", hm(0, 30)))
			ts[0].Symbol = "btcusdt"
			return ts
		}(), Scenario: skip, Params: window(2)}, coach.EINVALID},
		{"base fee takes the whole buy", sim.Input{Trades: trades(buy("b1", "1", "100", hm(0, 30), "1 BTC")), Scenario: skip, Params: window(2)}, coach.EINVALID},
		{"unknown rule", sim.Input{Trades: good, Scenario: sim.Scenario{Kind: sim.KindFollowRule, RuleIDs: []string{"r9"}}, Params: window(2)}, coach.ENOTFOUND},
		{"malformed rule", sim.Input{Trades: good, Rules: []coach.Rule{rule("r1", "stopLossPct", `{"pct":500}`, true)},
			Scenario: sim.Scenario{Kind: sim.KindFollowRule}, Params: window(2)}, coach.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := sim.Run(tc.in)
			if got := coach.ErrorCode(err); got != tc.code {
				t.Errorf("Run: code %q (%v), want %q", got, err, tc.code)
			}
		})
	}
}
