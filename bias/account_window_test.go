package bias_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// TestClusteredProportionDiffHandWorked checks the clustered SE against arithmetic done by hand.
func TestClusteredProportionDiffHandWorked(t *testing.T) {
	t.Parallel()
	// Three positions. X: 3 of 3 gains realized (sold in three pieces); Y: 0 of 1 gains
	// realized and 1 of 2 losses realized; Z: 0 of 2 losses realized.
	//   p1 = 3/4 = 0.75 over ΣN1 = 4;  p2 = 1/4 = 0.25 over ΣN2 = 4;  diff = 0.5
	//   z(X) = (3 − 0.75·3)/4 − 0                = 0.1875
	//   z(Y) = (0 − 0.75·1)/4 − (1 − 0.25·2)/4   = −0.1875 − 0.125 = −0.3125
	//   z(Z) = 0 − (0 − 0.25·2)/4                = 0.125
	//   Σz² = 0.03515625 + 0.09765625 + 0.015625 = 0.1484375
	//   × G/(G−1) = 3/2 → 0.22265625;  SE = √0.22265625 = 0.471865;  t = 0.5/0.471865 = 1.059626
	// The naive SE treats the 8 counts as independent: √(0.75·0.25/4 + 0.25·0.75/4) = 0.306186.
	cs := []bias.ClusterCounts{{K1: 3, N1: 3}, {K1: 0, N1: 1, K2: 1, N2: 2}, {K2: 0, N2: 2}}
	diff, got := bias.ClusteredProportionDiff(cs)
	want := bias.Clustered{Clusters: 3, SE: math.Sqrt(0.22265625), T: 0.5 / math.Sqrt(0.22265625)}
	if diff != 0.5 || cmp.Diff(want, got, cmpNaN) != "" {
		t.Errorf("got diff %v, %+v; want 0.5, %+v", diff, got, want)
	}
	if _, _, _, naive, _ := bias.ProportionDiff(3, 4, 1, 4); !(got.SE > naive) || math.Abs(naive-0.306186) > 1e-6 {
		t.Errorf("naive SE %v, clustered %v: want 0.306186 < clustered", naive, got.SE)
	}

	// One event per cluster: Σz² is the naive variance, so SE = naive · √(G/(G−1)).
	var single []bias.ClusterCounts
	for i := range 6 {
		single = append(single, bias.ClusterCounts{K1: b2i(i < 2), N1: 1})
	}
	for i := range 5 {
		single = append(single, bias.ClusterCounts{K2: b2i(i < 4), N2: 1})
	}
	_, c := bias.ClusteredProportionDiff(single)
	_, _, _, naive, _ := bias.ProportionDiff(2, 6, 4, 5)
	if math.Abs(c.SE-naive*math.Sqrt(11.0/10)) > 1e-15 || c.Clusters != 11 {
		t.Errorf("singletons: %+v, want SE %v over 11 clusters", c, naive*math.Sqrt(11.0/10))
	}

	// Undefined: one cluster, an empty group, invalid counts.
	for _, cs := range [][]bias.ClusterCounts{
		{{K1: 1, N1: 2, K2: 1, N2: 3}},
		{{K1: 1, N1: 2}, {K1: 0, N1: 2}},
		{{K1: 3, N1: 2}, {K2: 1, N2: 1}},
		nil,
	} {
		if _, c := bias.ClusteredProportionDiff(cs); !math.IsNaN(c.SE) || !math.IsNaN(c.T) {
			t.Errorf("%+v: %+v, want SE and t undefined", cs, c)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestPositionSoldInPiecesIsOneCluster: an account that sells one winning position in ten pieces
// (each piece two partial fills) is not ten independent realized gains. Odean's naive SE gives
// t ≈ 3, which the per-trade tags of 2026.1 would have called significant; clustered by position
// the SE is more than twice as large and the coach does not speak of an effect.
func TestPositionSoldInPiecesIsOneCluster(t *testing.T) {
	t.Parallel()
	syms := []coach.Symbol{coach.MustParseSymbol("AAA-USD"), coach.MustParseSymbol("BBB-USD"),
		coach.MustParseSymbol("CCC-USD"), coach.MustParseSymbol("DDD-USD")}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{}
	for _, s := range syms {
		candles[s] = flat(s, 100, start, 300)
	}
	a, b, c, d := syms[0], syms[1], syms[2], syms[3]
	h := func(n int, m time.Duration) time.Time { return start.Add(time.Duration(n)*time.Hour + m*time.Minute) }
	var bk book
	bk.add(a, coach.Buy, h(200, 10), 10, 90) // a gain against bars at 100
	bk.add(b, coach.Buy, h(200, 10), 1, 110) // a loss
	bk.add(c, coach.Buy, h(200, 10), 1, 90)  // a gain, never sold
	bk.add(d, coach.Buy, h(200, 10), 1, 110) // a loss
	for k := range 10 {                      // A sold in ten pieces, hours 201–210, two fills each
		bk.add(a, coach.Sell, h(201+k, 10), 0.5, 100)
		bk.add(a, coach.Sell, h(201+k, 10), 0.5, 100)
	}
	bk.add(d, coach.Sell, h(211, 10), 1, 100)
	bk.add(b, coach.Sell, h(212, 10), 1, 100)
	res := mustScore(t, bk.trades, candles, bias.DefaultConfig())
	got := res.Account.Disposition
	// RG 10 (A), PG 12 (C at every moment), RL 2 (D, B), PL 21 (B 11 times, D 10 times).
	if c := got.Counts(); c != (bias.DispositionCounts{Moments: 12, RG: 10, PG: 12, RL: 2, PL: 21}) {
		t.Fatalf("counts %+v", c)
	}
	if got.Clustered.Clusters != 4 {
		t.Errorf("clusters = %d, want the 4 positions", got.Clustered.Clusters)
	}
	if !(got.T >= 2) || !(got.Clustered.SE > 2*got.SE) {
		t.Errorf("naive SE %v (t %v), clustered %+v: want naive t ≥ 2 and clustered SE > 2× naive", got.SE, got.T, got.Clustered)
	}
	if got.Shows(bias.DefaultConfig()) {
		t.Error("Shows: one position sold in pieces is reported as a disposition effect")
	}
	if len(res.Account.Windows) != 1 || cmp.Diff(got, res.Account.Windows[0].Disposition, cmpNaN) != "" {
		t.Errorf("windows %+v, want one (January) equal to the account's", res.Account.Windows)
	}
	for _, g := range res.Tags {
		if g.Label == coach.LabelDisposition {
			t.Errorf("trade %s: DISPOSITION tag", g.TradeID)
		}
	}
}

// TestAccountMetricsBitIdentical: the account metrics, windows and clustered SEs included, are the
// same bits on every run and whatever order the fills come in.
func TestAccountMetricsBitIdentical(t *testing.T) {
	t.Parallel()
	trades, candles := benchMarket(3000)
	want := mustScore(t, trades, candles, bias.DefaultConfig()).Account
	if len(want.Windows) < 3 {
		t.Fatalf("%d windows: the bench market spans too little to show anything", len(want.Windows))
	}
	wantJSON, _ := json.Marshal(want)
	bits := cmp.Comparer(func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
	r := rand.New(rand.NewPCG(14, 3))
	for run := range 3 {
		shuffled := append([]coach.Trade(nil), trades...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := mustScore(t, shuffled, candles, bias.DefaultConfig()).Account
		if diff := cmp.Diff(want, got, bits); diff != "" {
			t.Fatalf("run %d: account differs (-first +shuffled):\n%s", run, diff)
		}
		if b, _ := json.Marshal(got); string(b) != string(wantJSON) {
			t.Fatalf("run %d: JSON differs", run)
		}
	}
}

// TestWindowsAreMonthsInTimeZone: windows are calendar months in Config.TimeZone, a moment
// belongs to the month of its first sale, and the windows' counts add up to the account's.
func TestWindowsAreMonthsInTimeZone(t *testing.T) {
	t.Parallel()
	a, b := coach.MustParseSymbol("AAA-USD"), coach.MustParseSymbol("BBB-USD")
	ny, _ := time.LoadLocation("America/New_York")
	start := time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{a: flat(a, 100, start, 24*30), b: flat(b, 50, start, 24*30)}
	var bk book
	bk.add(a, coach.Buy, start.Add(time.Hour), 3, 90)
	bk.add(b, coach.Buy, start.Add(time.Hour), 3, 60)
	// 1 Feb 03:30 UTC is still 31 January in New York; 1 Feb 06:30 UTC is February there.
	bk.add(a, coach.Sell, time.Date(2024, 2, 1, 3, 30, 0, 0, time.UTC), 1, 100)
	bk.add(b, coach.Sell, time.Date(2024, 2, 1, 6, 30, 0, 0, time.UTC), 1, 50)
	bk.add(a, coach.Sell, time.Date(2024, 2, 2, 6, 30, 0, 0, time.UTC), 1, 100)
	cfg := lenient()
	cfg.TimeZone = "America/New_York"
	acc := mustScore(t, bk.trades, candles, cfg).Account
	if len(acc.Windows) != 2 {
		t.Fatalf("windows %+v, want January and February", acc.Windows)
	}
	jan, feb := acc.Windows[0], acc.Windows[1]
	if !jan.From.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, ny)) || !jan.To.Equal(feb.From) ||
		!feb.To.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, ny)) || jan.From.Location() != time.UTC {
		t.Errorf("windows [%v, %v) and [%v, %v), want New York's January and February in UTC", jan.From, jan.To, feb.From, feb.To)
	}
	if jan.Disposition.Moments != 1 || feb.Disposition.Moments != 2 {
		t.Errorf("moments %d and %d, want 1 and 2", jan.Disposition.Moments, feb.Disposition.Moments)
	}
	if sum := jan.Disposition.Counts().Add(feb.Disposition.Counts()); sum != acc.Disposition.Counts() {
		t.Errorf("windows add up to %+v, the account has %+v", sum, acc.Disposition.Counts())
	}
}

// TestReflectWindow: the coach speaks of a window's effect only when it shows once clustered,
// with the window's own counts, the same text every time.
func TestReflectWindow(t *testing.T) {
	t.Parallel()
	cfg := bias.DefaultConfig()
	cfg.TimeZone = "America/New_York"
	ny, _ := time.LoadLocation(cfg.TimeZone)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, ny)
	w := bias.AccountWindow{From: from.UTC(), To: from.AddDate(0, 1, 0).UTC(),
		Disposition: bias.DispositionFromCounts(bias.DispositionCounts{Moments: 30, RG: 20, PG: 10, RL: 5, PL: 40}, 5),
		LossChasing: bias.LossChasing{AfterLoss: 20, AfterGain: 20, BigAfterLoss: 15, BigAfterGain: 5, PLoss: 0.75, PGain: 0.25,
			Diff: 0.5, T: 3.6, Clustered: bias.Clustered{Clusters: 15, SE: 0.15, T: 3.3}}}
	w.Disposition.Clustered = bias.Clustered{Clusters: 12, SE: 0.12, T: 4.6}
	got := bias.ReflectWindow(w, cfg)
	if len(got) != 2 || got[0].Label != coach.LabelDisposition || got[1].Label != coach.LabelLossChasing {
		t.Fatalf("ReflectWindow = %+v, want DISPOSITION then LOSS_CHASING", got)
	}
	for _, want := range []string{"March 2026", "66.7% of the gains", "11.1% of the losses", "30 decision points, 12 positions"} {
		if !strings.Contains(got[0].Text, want) {
			t.Errorf("%q lacks %q", got[0].Text, want)
		}
	}
	if !strings.Contains(got[1].Text, "75.0% of the time") || !strings.Contains(got[1].Text, "(20 and 20 entries)") {
		t.Errorf("%q lacks the window's proportions", got[1].Text)
	}
	if again := bias.ReflectWindow(w, cfg); cmp.Diff(got, again) != "" {
		t.Error("two calls gave two texts")
	}
	// Naive t ≥ 2 but too few positions, or a clustered t under MinT: nothing to say.
	w.Disposition.Clustered.Clusters = 4
	w.LossChasing.Clustered.T = 1.5
	if got := bias.ReflectWindow(w, cfg); len(got) != 0 {
		t.Errorf("ReflectWindow = %+v, want nothing for effects that do not show once clustered", got)
	}
}

// TestWindowsJSONRoundTrip: windows written to JSON (a digest's payload) read back as they were,
// undefined numbers (null) as NaN.
func TestWindowsJSONRoundTrip(t *testing.T) {
	t.Parallel()
	trades, candles := benchMarket(3000)
	ws := mustScore(t, trades, candles, bias.DefaultConfig()).Account.Windows
	ws = append(ws, bias.AccountWindow{Disposition: bias.DispositionFromCounts(bias.DispositionCounts{}, 5)})
	b, err := json.Marshal(ws)
	if err != nil {
		t.Fatal(err)
	}
	var back []bias.AccountWindow
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ws, back, cmpNaN); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s", diff)
	}
	if c, err := json.Marshal(bias.Clustered{SE: math.NaN(), T: math.Inf(1)}); err != nil || string(c) != `{"clusters":0,"se":null,"t":null}` {
		t.Errorf("Clustered JSON = %s, %v", c, err)
	}
}

// FuzzAccountWindowsJSON feeds arbitrary JSON (a stored digest's) to the windows' UnmarshalJSON:
// it never panics, and what it reads writes back to JSON that reads back the same.
func FuzzAccountWindowsJSON(f *testing.F) {
	f.Add(`[{"from":"2026-03-01T00:00:00Z","to":"2026-04-01T00:00:00Z","disposition":{"moments":3,"rg":1,"pgr":null,"clustered":{"clusters":2,"se":0.5,"t":null}},"lossChasing":{"afterLoss":2,"diff":0.1}}]`)
	f.Add(`[{"disposition":{"pgr":"x"}}]`)
	f.Add(`[{"lossChasing":{"clustered":[]}}]`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, in string) {
		var ws []bias.AccountWindow
		if json.Unmarshal([]byte(in), &ws) != nil {
			return
		}
		b, err := json.Marshal(ws)
		if err != nil {
			t.Fatalf("read %s, cannot write it: %v", in, err)
		}
		var back []bias.AccountWindow
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("wrote %s, cannot read it: %v", b, err)
		}
		if diff := cmp.Diff(ws, back, cmpNaN); diff != "" {
			t.Fatalf("round trip of %s (-first +second):\n%s", in, diff)
		}
	})
}
