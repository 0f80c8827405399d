package rules_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

func TestEvaluateErrors(t *testing.T) {
	t.Parallel()
	trades := []coach.Trade{buy("a", at("1h"), "BTC-USDT", "1", "1")}
	other := buy("b", at("2h"), "BTC-USDT", "1", "1")
	other.UserID = "u2"
	for _, tc := range []struct {
		name   string
		trades []coach.Trade
		rules  []rules.Rule
		err    string
	}{
		{"no params", trades, []rules.Rule{{ID: "r1", Active: true}}, "rule r1: params: required"},
		{"params out of range", trades, []rules.Rule{rule("r1", rules.MaxTradesPerDay{N: 0})}, "rule r1: params.n: must be in [1, 1000]"},
		{"inactive rules are checked too", trades, []rules.Rule{{ID: "r1", Params: rules.StopLossPct{Pct: 200}}}, "rule r1: params.pct: must be in (0, 100)"},
		{"repeated id", trades, []rules.Rule{rule("r1", rules.MaxTradesPerDay{N: 1}), rule("r1", rules.MaxTradesPerDay{N: 2})}, "rule r1: given twice"},
		{"repeated empty id", trades, []rules.Rule{rule("", rules.MaxTradesPerDay{N: 1}), rule("", rules.MaxTradesPerDay{N: 2})},
			`rule "": given twice (rules need distinct ids, empty included)`},
		{"two users", append(slices.Clone(trades), other), []rules.Rule{rule("r1", rules.MaxTradesPerDay{N: 1})}, "rules: trades of more than one user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := rules.Evaluate(tc.trades, nil, tc.rules, nil)
			if coach.ErrorCode(err) != coach.EINVALID || coach.ErrorMessage(err) != tc.err {
				t.Fatalf("err = %v, want EINVALID %q", err, tc.err)
			}
		})
	}
}

func TestEvaluateSkipsInactiveRules(t *testing.T) {
	t.Parallel()
	rs := []rules.Rule{
		{ID: "off", Params: rules.MaxTradesPerDay{N: 1}},
		rule("on", rules.CooldownAfterLoss{Minutes: 5}),
	}
	ev := mustEvaluate(t, []coach.Trade{buy("a", at("1h"), "BTC-USDT", "1", "1")}, nil, rs, nil)
	if diff := cmp.Diff([]rules.RuleRef{{ID: "on", Kind: rules.KindCooldownAfterLoss}}, ev.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if len(ev.Verdicts) != 1 || ev.Verdicts[0].RuleID != "on" {
		t.Errorf("verdicts = %+v, want one of rule on", ev.Verdicts)
	}
}

func TestEvaluateDataReport(t *testing.T) {
	t.Parallel()
	good := bars("BTC-USDT", coach.Hour1, day0, []float64{100, 100, 100, 100, 130}, nil)
	conflict := good[2]
	conflict.Close = 99
	conflict.Low = 99
	bad := good[1]
	bad.Low = -1
	misaligned := good[3]
	misaligned.OpenTime = misaligned.OpenTime.Add(time.Minute)
	wrongSymbol := good[0]
	wrongSymbol.Symbol = "ETH-USDT"
	daily := bars("BTC-USDT", coach.Day1, day0.Add(-48*time.Hour), []float64{90, 95}, nil)
	candles := rules.CandleSeries{"BTC-USDT": append(append(slices.Clone(good), good[4], conflict, bad, misaligned, wrongSymbol), daily...)}
	r := rule("spike", rules.AvoidSpikeOverPct{Pct: 10, LookbackHours: 1})
	trades := []coach.Trade{
		buy("a", at("5h"), "BTC-USDT", "1", "130"), // bar 4 over bar 3: 30% up
		buy("b", at("3h"), "BTC-USDT", "1", "100"), // bar 2 conflicts: a gap
	}
	ev := mustEvaluate(t, trades, candles, []rules.Rule{r}, nil)
	want := rules.DataReport{Candles: 4, Invalid: 3, OtherInterval: 2, Duplicates: 1, Conflicting: 2}
	if diff := cmp.Diff(want, ev.Data); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	got := rowsOf(ev.Verdicts)
	if got[0].Trade != "b" || got[0].Reason != rules.ReasonMissingCandle || got[1].Trade != "a" || got[1].Outcome != "broken" {
		t.Errorf("verdicts = %+v", got)
	}
	// The input is not modified.
	if candles["BTC-USDT"][5] != good[4] || len(candles["BTC-USDT"]) != 12 {
		t.Error("Evaluate modified the candles")
	}
}

func TestWindowAndOf(t *testing.T) {
	t.Parallel()
	dip := bars("BTC-USDT", coach.Hour1, day0, flat(30, 100), map[int]float64{20: 90})
	trades := []coach.Trade{
		buy("b1", at("1h"), "BTC-USDT", "1", "100"),
		buy("b2", at("10h"), "BTC-USDT", "1", "100"),
		sell("s1", at("12h"), "BTC-USDT", "1", "100"),
	}
	rs := []rules.Rule{rule("max", rules.MaxTradesPerDay{N: 5}), rule("stop", rules.StopLossPct{Pct: 5})}
	ev := mustEvaluate(t, trades, rules.SeriesOf(dip), rs, nil)
	if ev.Trades != 3 || len(ev.Verdicts) != 6 {
		t.Fatalf("trades %d, verdicts %d; want 3 and 6", ev.Trades, len(ev.Verdicts))
	}
	// s1 sold b1's position (FIFO); b2's was held through the dip of bar 20, which closed at 21:00.
	w := ev.Window(at("11h"), at("22h"))
	got := rowsOf(w.Verdicts)
	want := []row{
		{Trade: "b1", Rule: "stop", At: "2025-03-03T12:00:00Z", Outcome: "followed"},
		{Trade: "b2", Rule: "stop", At: "2025-03-03T21:00:00Z", Outcome: "broken"},
		{Trade: "s1", Rule: "max", At: "2025-03-03T12:00:00Z", Outcome: "followed"},
		{Trade: "s1", Rule: "stop", At: "2025-03-03T12:00:00Z", Outcome: "followed"},
	}
	for i := range got {
		got[i].Evidence = ""
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("window (-want +got):\n%s", diff)
	}
	if w.Trades != 3 {
		t.Errorf("window trades = %d, want 3", w.Trades)
	}
	if vs := ev.Of("b2"); len(vs) != 2 || vs[1].Outcome != rules.Broken {
		t.Errorf("Of(b2) = %+v", vs)
	}
	if vs := ev.Of("nope"); vs != nil {
		t.Errorf("Of(nope) = %+v, want nil", vs)
	}
	// Check sees only what was decided at the fill: b2's entry kept its rules then.
	if n, broken := ev.Check(trades[1]); n != 1 || broken != nil {
		t.Errorf("Check(b2) = %d, %v; want 1, none", n, broken)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	spike := bars("BTC-USDT", coach.Hour1, day0, []float64{100, 100, 100, 100, 120, 120}, nil)
	rs := []rules.Rule{
		rule("spike", rules.AvoidSpikeOverPct{Pct: 10, LookbackHours: 1}),
		rule("max", rules.MaxTradesPerDay{N: 2}),
	}
	trades := []coach.Trade{
		buy("calm", at("3h"), "BTC-USDT", "1", "100"),
		buy("chase", at("5h"), "BTC-USDT", "1", "120"),
		buy("third", at("6h"), "ETH-USDT", "1", "100"), // no ETH candles, and a third fill
		sell("out", at("6h30m"), "BTC-USDT", "1", "120"),
	}
	ev := mustEvaluate(t, trades, rules.SeriesOf(spike), rs, nil)
	for _, tc := range []struct {
		trade   coach.Trade
		checked int
		broken  []string
	}{
		{trades[0], 2, nil},
		{trades[1], 2, []string{rules.KindAvoidSpikeOverPct}},
		{trades[2], 1, []string{rules.KindMaxTradesPerDay}}, // spike undecided, max broken
		{trades[3], 1, []string{rules.KindMaxTradesPerDay}},
		{buy("unknown", at("1h"), "BTC-USDT", "1", "1"), 0, nil},
	} {
		n, broken := ev.Check(tc.trade)
		if n != tc.checked || !slices.Equal(broken, tc.broken) {
			t.Errorf("Check(%s) = %d, %v; want %d, %v", tc.trade.ID, n, broken, tc.checked, tc.broken)
		}
	}
	// An undecided rule and nothing broken: the trade is not vouched for.
	ev2 := mustEvaluate(t, trades[2:3], nil, rs, nil)
	if n, broken := ev2.Check(trades[2]); n != 0 || broken != nil {
		t.Errorf("Check with an undecided rule = %d, %v; want 0, none", n, broken)
	}
}

func TestVerdictJSON(t *testing.T) {
	t.Parallel()
	ev := mustEvaluate(t, []coach.Trade{sell("s1", at("1h"), "BTC-USDT", "1", "50")}, nil,
		[]rules.Rule{rule("stop", rules.StopLossPct{Pct: 5})}, nil)
	b, err := json.Marshal(ev.Verdicts)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"ruleId":"stop","kind":"stopLossPct","tradeId":"s1","at":"2025-03-03T01:00:00Z","outcome":"undecided","reason":"noEntry","evidence":{}}]`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant   %s", b, want)
	}
	var back []rules.Verdict
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ev.Verdicts, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// randomMarket returns n hourly candles of BTC-USDT and ETH-USDT, a random walk with swings big
// enough to cross stops and spikes, and some bars missing.
func randomMarket(rng *rand.Rand, n int) rules.CandleSeries {
	s := rules.CandleSeries{}
	for _, sym := range []coach.Symbol{"BTC-USDT", "ETH-USDT"} {
		p := 100.0
		for i := range n {
			o := p
			p *= math.Exp(rng.NormFloat64() * 0.03)
			if rng.IntN(50) == 0 {
				continue // a gap
			}
			s[sym] = append(s[sym], coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: day0.Add(time.Duration(i) * time.Hour),
				Open: o, High: max(o, p) * 1.01, Low: min(o, p) * 0.99, Close: p, Volume: 1})
		}
	}
	return s
}

// randomTrades returns n fills of one user spread over the hours of the market, buys and sells
// mixed, some sells selling more than is held.
func randomTrades(rng *rand.Rand, n, hours int) []coach.Trade {
	out := make([]coach.Trade, n)
	for i := range out {
		sym := []string{"BTC-USDT", "ETH-USDT"}[rng.IntN(2)]
		ts := day0.Add(time.Duration(rng.Int64N(int64(hours) * int64(time.Hour))))
		qty := fmt.Sprintf("%d.%02d", rng.IntN(3), 1+rng.IntN(99))
		price := fmt.Sprintf("%d", 80+rng.IntN(40))
		if rng.IntN(2) == 0 {
			out[i] = buy(fmt.Sprintf("t%04d", i), ts, sym, qty, price)
		} else {
			out[i] = sell(fmt.Sprintf("t%04d", i), ts, sym, qty, price)
		}
	}
	return out
}

func allKinds() []rules.Rule {
	return []rules.Rule{
		rule("spike", rules.AvoidSpikeOverPct{Pct: 5, LookbackHours: 6}),
		rule("max", rules.MaxTradesPerDay{N: 3}),
		rule("cool", rules.CooldownAfterLoss{Minutes: 90}),
		rule("cap", rules.MaxNotionalPerTrade{Amount: decimal.NewFromInt(150), Quote: "USDT"}),
		rule("night", rules.NoTradingWindow{From: "22:00", To: "06:00", Weekdays: []string{"fri", "sat"}}),
		rule("stop", rules.StopLossPct{Pct: 4}),
	}
}

// TestEvaluateProperties checks, on random data, that the order trades come in does not matter
// and that no verdict decided at a fill changes when later trades are added (no look-ahead).
func TestEvaluateProperties(t *testing.T) {
	t.Parallel()
	loc := mustLoad("Australia/Sydney")
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		candles := randomMarket(rng, 400)
		trades := randomTrades(rng, 150, 400)
		full := mustEvaluate(t, trades, candles, allKinds(), loc)

		shuffled := slices.Clone(trades)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		again := mustEvaluate(t, shuffled, candles, allKinds(), loc)
		if diff := cmp.Diff(rowsOf(full.Verdicts), rowsOf(again.Verdicts)); diff != "" {
			t.Fatalf("seed %d: shuffled input changed the verdicts:\n%s", seed, diff)
		}

		sorted := slices.Clone(trades)
		slices.SortFunc(sorted, func(a, b coach.Trade) int { return a.TS.Compare(b.TS) })
		cut := sorted[len(sorted)/2].TS
		var early []coach.Trade
		for _, tr := range sorted {
			if tr.TS.Before(cut) {
				early = append(early, tr)
			}
		}
		prefix := mustEvaluate(t, early, candles, allKinds(), loc)
		side := map[string]coach.Side{}
		for _, tr := range trades {
			side[tr.ID] = tr.Side
		}
		atFill := func(vs []rules.Verdict) []row {
			var out []row
			for _, v := range vs {
				if v.Kind == rules.KindStopLossPct && side[v.TradeID] == coach.Buy {
					continue // decided when the position is sold: may change with later trades
				}
				if v.At.Before(cut) {
					out = append(out, rowsOf([]rules.Verdict{v})[0])
				}
			}
			return out
		}
		if diff := cmp.Diff(atFill(prefix.Verdicts), atFill(full.Verdicts)); diff != "" {
			t.Fatalf("seed %d: later trades changed earlier verdicts:\n%s", seed, diff)
		}
		outcomes := map[rules.Outcome]int{}
		for _, v := range full.Verdicts {
			outcomes[v.Outcome]++
			if !json.Valid(v.Evidence) {
				t.Fatalf("seed %d: evidence %s is not JSON", seed, v.Evidence)
			}
		}
		if outcomes[rules.Followed] == 0 || outcomes[rules.Broken] == 0 || outcomes[rules.Undecided] == 0 {
			t.Fatalf("seed %d: outcomes %v: the random data should give every outcome", seed, outcomes)
		}
	}
}
