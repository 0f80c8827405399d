package bias_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// mustScore scores or fails the test.
func mustScore(t testing.TB, trades []coach.Trade, candles bias.CandleSeries, cfg bias.Config) bias.Result {
	t.Helper()
	res, err := bias.Score(trades, candles, cfg)
	if err != nil {
		t.Fatalf("Score: %v", err)
	}
	return res
}

// labelsOf returns the labels of trade id's tags, sorted.
func labelsOf(res bias.Result, id string) []string {
	var out []string
	for _, g := range res.Tags {
		if g.TradeID == id {
			out = append(out, g.Label)
		}
	}
	return out
}

// tagOf returns trade id's tag of label.
func tagOf(t *testing.T, res bias.Result, id, label string) coach.BiasTag {
	t.Helper()
	for _, g := range res.Tags {
		if g.TradeID == id && g.Label == label {
			return g
		}
	}
	t.Fatalf("trade %s has no %s tag; it has %v", id, label, labelsOf(res, id))
	return coach.BiasTag{}
}

// skipsOf returns trade id's skips.
func skipsOf(res bias.Result, id string) []bias.Skip {
	var out []bias.Skip
	for _, s := range res.Skipped {
		if s.TradeID == id {
			out = append(out, s)
		}
	}
	return out
}

// ev decodes the "ev" object of a tag's features.
func ev(t *testing.T, g coach.BiasTag) map[string]any {
	t.Helper()
	var f struct {
		V  string         `json:"v"`
		Ev map[string]any `json:"ev"`
	}
	if err := json.Unmarshal(g.Features, &f); err != nil {
		t.Fatalf("features of %s %s: %v", g.TradeID, g.Label, err)
	}
	if f.V != bias.DefinitionVersion {
		t.Errorf("features of %s %s: v = %q, want %q", g.TradeID, g.Label, f.V, bias.DefinitionVersion)
	}
	return f.Ev
}

func TestScoreFixtureLabels(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	res := mustScore(t, fx.trades, fx.candles, bias.DefaultConfig())

	for _, tc := range []struct {
		role string
		want []string
	}{
		{"calmBuy", nil},
		{"chase1", []string{coach.LabelFOMO}},
		{"chase2", []string{coach.LabelFOMO}},
		{"panic", []string{coach.LabelPanic}},
		{"revenge", []string{coach.LabelRevenge}},
	} {
		if diff := cmp.Diff(tc.want, labelsOf(res, fx.role[tc.role])); diff != "" {
			t.Errorf("%s (%s) labels (-want +got):\n%s", tc.role, fx.role[tc.role], diff)
		}
	}

	p := ev(t, tagOf(t, res, fx.role["panic"], coach.LabelPanic))
	if p["lossPct"].(float64) > -0.0125 || p["drawdown"].(float64) < 0.035 || p["soldFraction"].(float64) != 1 {
		t.Errorf("PANIC evidence = %v, want a loss ≥ 1.25%%, a drawdown ≥ 3.5%% and the whole position sold", p)
	}
	r := ev(t, tagOf(t, res, fx.role["revenge"], coach.LabelRevenge))
	if r["minutesAfterLoss"].(float64) != 20 || r["lossTradeId"] != fx.role["panic"] || r["sizeRatio"].(float64) < 1.5 {
		t.Errorf("REVENGE evidence = %v, want 20 minutes after the panic sell and a size ratio ≥ 1.5", r)
	}

	// On the busy day (day 30, 2024-03-31) the order that reaches the threshold and every later
	// one are tagged OVERTRADING, each with the day's count so far.
	var busy []float64
	for _, g := range res.Tags {
		if g.Label == coach.LabelOvertrading && ev(t, g)["day"] == "2024-03-31" {
			busy = append(busy, ev(t, g)["dayTrades"].(float64))
		}
	}
	if len(busy) < 2 || busy[0] < 5 || !slices.IsSorted(busy) || busy[len(busy)-1]-busy[0] != float64(len(busy)-1) {
		t.Errorf("OVERTRADING on the busy day at day counts %v, want every order from the threshold (≥ 5) on", busy)
	}
	// Every label shows up somewhere in the fixture.
	seen := map[string]bool{}
	for _, g := range res.Tags {
		seen[g.Label] = true
	}
	for _, l := range []string{coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge,
		coach.LabelOvertrading, coach.LabelHoldingLosers} {
		if !seen[l] {
			t.Errorf("no %s tag in the fixture", l)
		}
	}
	// The account effects are account metrics: never a per-trade tag.
	for _, l := range []string{coach.LabelDisposition, coach.LabelLossChasing} {
		if seen[l] {
			t.Errorf("a %s tag in the fixture: the label is retired", l)
		}
	}
}

// TestTagsAreValid checks what Score promises of every tag: the fields the Service does not set
// are valid, the features are a compact JSON object with version, thresholds and conventions.
func TestTagsAreValid(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	res := mustScore(t, fx.trades, fx.candles, bias.DefaultConfig())
	if len(res.Tags) == 0 {
		t.Fatal("no tags")
	}
	for _, g := range res.Tags {
		g.ID, g.CreatedAt = "tag1", time.Now()
		if err := g.Validate(); err != nil {
			t.Errorf("tag %s %s: %v", g.TradeID, g.Label, err)
		}
		var f map[string]json.RawMessage
		if err := json.Unmarshal(g.Features, &f); err != nil {
			t.Fatalf("features: %v", err)
		}
		for _, k := range []string{"v", "symbol", "ev", "th", "conv"} {
			if _, ok := f[k]; !ok {
				t.Errorf("tag %s %s: features lack %q: %s", g.TradeID, g.Label, k, g.Features)
			}
		}
		if strings.ContainsAny(string(g.Features), " \n") {
			t.Errorf("features are not compact: %s", g.Features)
		}
	}
}

// TestNoLookAhead corrupts every bar that closes after a trade's fill and checks the trade's tags
// and skips do not change.
func TestNoLookAhead(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	cfg := bias.DefaultConfig()
	base := mustScore(t, fx.trades, fx.candles, cfg)
	for _, tr := range fx.trades {
		if tr.ID != fx.role["chase1"] && tr.ID != fx.role["panic"] && tr.ID != fx.role["revenge"] && tr.ID[len(tr.ID)-1] != '5' {
			continue // a sample keeps the test fast
		}
		future := bias.CandleSeries{}
		for sym, bars := range fx.candles {
			bs := slices.Clone(bars)
			for i := range bs {
				if bs[i].CloseTime().After(tr.TS) {
					b := &bs[i]
					b.Open, b.High, b.Low, b.Close, b.Volume = b.Open*3, b.High*3.5, b.Low*0.5, b.Close*0.6, b.Volume*50
				}
			}
			future[sym] = bs
		}
		got := mustScore(t, fx.trades, future, cfg)
		if diff := cmp.Diff(tagsFor(base, tr.ID), tagsFor(got, tr.ID)); diff != "" {
			t.Errorf("trade %s: tags changed with the future (-before +after):\n%s", tr.ID, diff)
		}
		if diff := cmp.Diff(skipsOf(base, tr.ID), skipsOf(got, tr.ID)); diff != "" {
			t.Errorf("trade %s: skips changed with the future:\n%s", tr.ID, diff)
		}
	}
}

func tagsFor(res bias.Result, id string) []coach.BiasTag {
	var out []coach.BiasTag
	for _, g := range res.Tags {
		if g.TradeID == id {
			out = append(out, g)
		}
	}
	return out
}

// trim keeps the bars of sym that open at or after from, and drops the bar opening at gap.
func trim(cs bias.CandleSeries, sym coach.Symbol, from, gap time.Time) bias.CandleSeries {
	out := bias.CandleSeries{}
	for s, bars := range cs {
		if s != sym {
			out[s] = bars
			continue
		}
		for _, b := range bars {
			if !b.OpenTime.Before(from) && !b.OpenTime.Equal(gap) {
				out[s] = append(out[s], b)
			}
		}
	}
	return out
}

func TestInsufficientDataIsSkippedNotZero(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	chase := fx.role["chase1"]
	var ts time.Time
	for _, tr := range fx.trades {
		if tr.ID == chase {
			ts = tr.TS
		}
	}
	last := ts.Truncate(time.Hour).Add(-time.Hour) // the bar that closed before the fill
	for _, tc := range []struct {
		name    string
		candles bias.CandleSeries
		cause   string
		reason  string
	}{
		{"warm-up", trim(fx.candles, btc, last.Add(-49*time.Hour), time.Time{}), bias.CauseWarmup,
			"insufficient data: 50 contiguous 1h candles of BTC-USDT before the fill, FOMO needs 169"},
		{"gap restarts the warm-up", trim(fx.candles, btc, time.Time{}, last.Add(-30*time.Hour)), bias.CauseWarmup,
			"insufficient data: 30 contiguous 1h candles of BTC-USDT before the fill, FOMO needs 169"},
		{"missing bar", trim(fx.candles, btc, time.Time{}, last), bias.CauseMissingBar,
			"missing data: the 1h bar of BTC-USDT that closed at 2024-03-11T01:00:00Z is missing"},
		{"no candles", trim(fx.candles, btc, last.Add(time.Hour), time.Time{}), bias.CauseNoCandles,
			"no 1h candles of BTC-USDT closed at or before the fill"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := mustScore(t, fx.trades, tc.candles, bias.DefaultConfig())
			if got := labelsOf(res, chase); slices.Contains(got, coach.LabelFOMO) {
				t.Errorf("labels = %v, want no FOMO", got)
			}
			want := []bias.Skip{{TradeID: chase, Label: coach.LabelFOMO, Cause: tc.cause, Reason: tc.reason}}
			if diff := cmp.Diff(want, skipsOf(res, chase)); diff != "" {
				t.Errorf("skips (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFeaturesAreValidUTF8 gives the loss behind the fixture's REVENGE an ExtID that is not UTF-8
// (Score does not validate ids): the features quote it, and must still be valid UTF-8 JSON.
func TestFeaturesAreValidUTF8(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	trades := slices.Clone(fx.trades)
	for i := range trades {
		if trades[i].ID == fx.role["panic"] {
			trades[i].ID, trades[i].ExtID = "", "loss\xff<1>"
		}
	}
	res := mustScore(t, trades, fx.candles, bias.DefaultConfig())
	g := tagOf(t, res, fx.role["revenge"], coach.LabelRevenge)
	if !utf8.Valid(g.Features) || !strings.Contains(string(g.Features), `"lossTradeId":"loss\ufffd\u003c1\u003e"`) {
		t.Errorf("features %q: want valid UTF-8 quoting the id as loss\ufffd\u003c1\u003e", g.Features)
	}
	for _, g := range res.Tags {
		if !utf8.Valid(g.Features) || !json.Valid(g.Features) {
			t.Errorf("tag %s %s: features %q are not valid UTF-8 JSON", g.TradeID, g.Label, g.Features)
		}
	}
}

func TestScoreRejectsInvalidTrades(t *testing.T) {
	t.Parallel()
	good := coach.Trade{ID: "t1", Broker: "demo", ExtID: "1", Symbol: btc, Side: coach.Buy,
		Qty: decimal.NewFromInt(1), Price: decimal.NewFromInt(100), TS: t0}
	for _, tc := range []struct {
		name   string
		edit   func(*coach.Trade)
		second bool
		want   string
	}{
		{"zero qty", func(tr *coach.Trade) { tr.Qty = decimal.Zero }, false, "trade t1: qty: must be positive"},
		{"negative price", func(tr *coach.Trade) { tr.Price = decimal.NewFromInt(-1) }, false, "trade t1: price: must be positive"},
		{"side", func(tr *coach.Trade) { tr.Side = "HOLD" }, false, "trade t1: side: want BUY or SELL"},
		{"symbol", func(tr *coach.Trade) { tr.Symbol = "btcusdt" }, false, "trade t1: symbol: not BASE-QUOTE"},
		{"ts", func(tr *coach.Trade) { tr.TS = time.Time{} }, false, "trade t1: ts: must be from 1970 to 2261"},
		{"fee asset", func(tr *coach.Trade) { tr.Fee = decimal.NewNullDecimal(decimal.NewFromInt(1)) }, false, "trade t1: feeAsset: required with a non-zero fee"},
		{"no id", func(tr *coach.Trade) { tr.ID, tr.ExtID = "", "" }, false, "trade: id or extId required"},
		{"duplicate", func(*coach.Trade) {}, true, "trade t1: given twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr := good
			tc.edit(&tr)
			trades := []coach.Trade{tr}
			if tc.second {
				trades = append(trades, tr)
			}
			_, err := bias.Score(trades, nil, bias.DefaultConfig())
			if coach.ErrorCode(err) != coach.EINVALID || coach.ErrorMessage(err) != tc.want {
				t.Errorf("err = %v, want EINVALID %q", err, tc.want)
			}
		})
	}
}

func TestDirtyCandlesAreDroppedAndCounted(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	cfg := bias.DefaultConfig()
	clean := mustScore(t, fx.trades, fx.candles, cfg)

	dirty := bias.CandleSeries{}
	for s, bars := range fx.candles {
		bs := slices.Clone(bars)
		slices.Reverse(bs)                  // unsorted
		bs = append(bs, bars[10], bars[20]) // identical repeats
		bad := bars[0]
		bad.Close = math.NaN()
		zero := bars[1]
		zero.Low = 0
		other := bars[2]
		other.Interval = coach.Minute5
		odd := bars[3]
		odd.OpenTime = odd.OpenTime.Add(time.Minute)
		bs = append(bs, bad, zero, other, odd)
		dirty[s] = bs
	}
	res := mustScore(t, fx.trades, dirty, cfg)
	n := len(fx.candles) // symbols
	want := bias.DataReport{Candles: n * 960, Invalid: n * 3, OtherInterval: n, Duplicates: n * 2}
	if diff := cmp.Diff(want, res.Data); diff != "" {
		t.Errorf("data report (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(clean.Tags, res.Tags); diff != "" {
		t.Errorf("tags changed by dirt that was dropped (-clean +dirty):\n%s", diff)
	}

	// A bar given twice with different values is unknown: both copies go, leaving a gap.
	conflict := bias.CandleSeries{}
	for s, bars := range fx.candles {
		c := bars[500]
		c.Close = c.Low
		conflict[s] = append(slices.Clone(bars), c)
	}
	res = mustScore(t, fx.trades, conflict, cfg)
	if res.Data.Conflicting != 2*n || res.Data.Gaps != n || res.Data.Candles != n*959 {
		t.Errorf("data report = %+v, want %d conflicting copies dropped and %d gaps", res.Data, 2*n, n)
	}
}

func TestDiscipline(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	followed := map[string]bool{}
	for _, tr := range fx.trades {
		followed[tr.ID] = true
	}
	followed[fx.trades[5].ID] = false
	cfg := bias.DefaultConfig()
	cfg.Rules = bias.VerdictMap(followed)
	cfg.Plan = fixturePlan
	res := mustScore(t, fx.trades, fx.candles, cfg)

	questioning := []string{coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge, coach.LabelHoldingLosers,
		coach.LabelDisposition, coach.LabelLossChasing}
	for _, tr := range fx.trades {
		got := labelsOf(res, tr.ID)
		if !slices.Contains(got, coach.LabelDiscipline) {
			continue
		}
		if slices.ContainsFunc(got, func(l string) bool { return slices.Contains(questioning, l) }) {
			t.Errorf("trade %s: DISCIPLINE alongside %v", tr.ID, got)
		}
		if !followed[tr.ID] {
			t.Errorf("trade %s: DISCIPLINE although a rule was broken", tr.ID)
		}
	}
	// The positive evidence: both planned positions closed at the plan's level, so their entries
	// and exits are praised, with the level named; the routine round trips exit at no level.
	for role, at := range map[string]string{"planBuy1": "target", "planTarget": "target", "planBuy2": "stop", "planStop": "stop"} {
		if got := labelsOf(res, fx.role[role]); slices.ContainsFunc(got, func(l string) bool { return slices.Contains(questioning, l) }) {
			continue // a label questions it (the target sale may sell a winner while a loser is held)
		}
		g := tagOf(t, res, fx.role[role], coach.LabelDiscipline)
		if e := ev(t, g); e["exitAt"] != at || e["rulesChecked"].(float64) != 1 || g.Confidence != 0.6667 {
			t.Errorf("%s: DISCIPLINE %v %s, want an exit at the %s and confidence 0.6667 for one rule", role, g.Confidence, g.Features, at)
		}
	}
	if got := labelsOf(res, fx.role["planStop"]); slices.Contains(got, coach.LabelPanic) {
		t.Errorf("the exit at the plan's stop is PANIC: %v", got)
	}
	n := 0
	for _, g := range res.Tags {
		if g.Label == coach.LabelDiscipline {
			n++
		}
	}
	if n < 3 || n > 4 {
		t.Errorf("%d DISCIPLINE tags, want the orders of the planned positions (the target sale unless questioned)", n)
	}

	// Without rules, or without a plan, there is no DISCIPLINE.
	noPlan := cfg
	noPlan.Plan = bias.Plan{}
	for _, c := range []bias.Config{bias.DefaultConfig(), noPlan} {
		for _, g := range mustScore(t, fx.trades, fx.candles, c).Tags {
			if g.Label == coach.LabelDiscipline {
				t.Fatalf("DISCIPLINE without rules or plan on %s", g.TradeID)
			}
		}
	}
	// When FOMO could not be decided, neither can DISCIPLINE.
	res = mustScore(t, fx.trades, trim(fx.candles, eth, t0.Add(8*24*time.Hour), time.Time{}), cfg)
	first := fx.trades[1].ID // the first ETH buy
	want := []bias.Skip{
		{TradeID: first, Label: coach.LabelFOMO, Cause: bias.CauseWarmup, Reason: skipsOf(res, first)[0].Reason},
		{TradeID: first, Label: coach.LabelDiscipline, Cause: bias.CauseUndecided,
			Reason: "FOMO could not be decided (" + skipsOf(res, first)[0].Reason + ")"},
	}
	if diff := cmp.Diff(want, skipsOf(res, first)); diff != "" {
		t.Errorf("skips (-want +got):\n%s", diff)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	if err := bias.DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	for _, tc := range []struct {
		edit func(*bias.Config)
		want string
	}{
		{func(c *bias.Config) { c.Version = "" }, "Version"},
		{func(c *bias.Config) { c.Version = "v\n1" }, "Version"},
		{func(c *bias.Config) { c.Version = "v\xff" }, "Version"},
		{func(c *bias.Config) { c.Interval = "2h" }, "Interval"},
		{func(c *bias.Config) { c.TimeZone = "Mars/Olympus" }, "TimeZone"},
		{func(c *bias.Config) { c.TimeZone = "Local" }, "TimeZone"}, // the machine's zone: not reproducible
		{func(c *bias.Config) { c.TimeZone = "" }, "TimeZone"},
		{func(c *bias.Config) { c.PanicDrawdown = 1 }, "PanicDrawdown"},
		{func(c *bias.Config) { c.RevengeMinLoss = math.NaN() }, "RevengeMinLoss"},
		{func(c *bias.Config) { c.MinBaselineDays = 0 }, "MinBaselineDays"},
		{func(c *bias.Config) { c.ReturnWindow = 0 }, "ReturnWindow"},
		{func(c *bias.Config) { c.FOMOReturn = math.NaN() }, "FOMOReturn"},
		{func(c *bias.Config) { c.NearHigh = 1 }, "NearHigh"},
		{func(c *bias.Config) { c.RSIOversold = 80 }, "RSIOversold"},
		{func(c *bias.Config) { c.VolShortWindow = 200 * time.Hour }, "VolShortWindow"},
		{func(c *bias.Config) { c.Plan.StopLossPct = 100 }, "Plan"},
		{func(c *bias.Config) { c.HoldAlpha = 0 }, "HoldAlpha"},
		{func(c *bias.Config) { c.PanicNearLow = -0.001 }, "PanicNearLow"},
		{func(c *bias.Config) { c.OvertradingWindow = 0 }, "OvertradingWindow"},
		{func(c *bias.Config) { c.RevengeWindow = 0 }, "RevengeWindow"},
		{func(c *bias.Config) { c.MinBaselineEntries = 50 }, "MinBaselineEntries"},
		{func(c *bias.Config) { c.FOMOMinSignals = 4 }, "FOMOMinSignals"},
		{func(c *bias.Config) { c.ConfidenceSlope = math.Inf(1) }, "ConfidenceSlope"},
	} {
		c := bias.DefaultConfig()
		tc.edit(&c)
		err := c.Validate()
		if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), "bias config: "+tc.want+":") {
			t.Errorf("Validate = %v, want EINVALID naming %s", err, tc.want)
		}
	}
}

func TestConfidenceIsMonotonic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		margins []float64
		want    float64
	}{
		{nil, 0.5},
		{[]float64{0, 0}, 0.5},
		{[]float64{1, 1}, 0.982},
		{[]float64{-1, 1}, 0.5},
		{[]float64{0.5}, 0.8808},
	} {
		if got := bias.Confidence(4, tc.margins...); got != tc.want {
			t.Errorf("Confidence(4, %v) = %v, want %v", tc.margins, got, tc.want)
		}
	}
	prev := -1.0
	for m := -1.0; m <= 1; m += 0.125 {
		c := bias.Confidence(4, m, 0.3)
		if c < prev || c < 0 || c > 1 {
			t.Fatalf("Confidence(4, %v, 0.3) = %v after %v: not monotonic in [0,1]", m, c, prev)
		}
		prev = c
	}
}
