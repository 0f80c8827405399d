package bias_test

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// oneAccount scores an account that buys gains assets G1… at 90 and losses assets L1… at 110 at
// hour 200, in markets flat at 100, then sells, in the k-th decision moment (hour 201+2k), the
// assets sold[k] at 100: each sale of a G is a realized gain, of an L a realized loss, and every
// asset held and not sold is a paper gain (G) or a paper loss (L).
func oneAccount(t *testing.T, gains, losses int, sold ...[]string) bias.Disposition {
	t.Helper()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{}
	var bk book
	buy := func(name string, price float64) {
		sym := coach.MustParseSymbol(name + "-USD")
		candles[sym] = flat(sym, 100, start, 300)
		bk.add(sym, coach.Buy, start.Add(200*time.Hour), 1, price)
	}
	for i := 1; i <= gains; i++ {
		buy("G"+strconv.Itoa(i), 90)
	}
	for i := 1; i <= losses; i++ {
		buy("L"+strconv.Itoa(i), 110)
	}
	for k, names := range sold {
		for _, n := range names {
			bk.add(coach.MustParseSymbol(n+"-USD"), coach.Sell, start.Add(time.Duration(201+2*k)*time.Hour+10*time.Minute), 1, 100)
		}
	}
	return mustScore(t, bk.trades, candles, lenient()).Account.Disposition
}

// TestPoolDispositionHandWorked scores three accounts whose counts are worked by hand, pools them,
// and checks the pooled statistic against the summed counts and Odean's (1998) standard error.
func TestPoolDispositionHandWorked(t *testing.T) {
	t.Parallel()
	// A holds G1–G3 and L1–L4. Moment 1 (7 held): sells G1, L1 → RG 1, RL 1, PG 2 (G2, G3),
	// PL 3 (L2–L4). Moment 2 (5 held): sells G2 → RG 1, PG 1 (G3), PL 3 (L2–L4).
	// A: RG 2, PG 3, RL 1, PL 6 → PGR 2/5 = 0.4, PLR 1/7 = 0.142857.
	a := oneAccount(t, 3, 4, []string{"G1", "L1"}, []string{"G2"})
	// B holds G1, G2, L1–L3. Moment 1 (5 held): sells L1, L2 → RL 2, PG 2, PL 1.
	// B: RG 0, PG 2, RL 2, PL 1 → PGR 0/2 = 0 (no realized gain, yet defined), PLR 2/3.
	b := oneAccount(t, 2, 3, []string{"L1", "L2"})
	// C holds G1–G4, L1, L2. Moment 1 (6 held): sells G1–G3 → RG 3, PG 1 (G4), PL 2.
	// Moment 2 (3 held: G4, L1, L2): sells L1 → RL 1, PG 1, PL 1.
	// C: RG 3, PG 2, RL 1, PL 3 → PGR 3/5 = 0.6, PLR 1/4 = 0.25.
	c := oneAccount(t, 4, 2, []string{"G1", "G2", "G3"}, []string{"L1"})
	// D holds G1 alone and sells it: the moment is excluded (fewer than 2 assets), nothing counts,
	// so both proportions are undefined.
	d := oneAccount(t, 1, 0, []string{"G1"})

	for _, tc := range []struct {
		name string
		got  bias.Disposition
		want bias.DispositionCounts
	}{
		{"A", a, bias.DispositionCounts{Moments: 2, RG: 2, PG: 3, RL: 1, PL: 6}},
		{"B", b, bias.DispositionCounts{Moments: 1, RG: 0, PG: 2, RL: 2, PL: 1}},
		{"C", c, bias.DispositionCounts{Moments: 2, RG: 3, PG: 2, RL: 1, PL: 3}},
		{"D", d, bias.DispositionCounts{Excluded: 1}},
	} {
		if diff := cmp.Diff(tc.want, tc.got.Counts()); diff != "" {
			t.Errorf("account %s counts (-want +got):\n%s", tc.name, diff)
		}
		// The account's metric is its counts' metric, bit for bit (lenient: MinEvents 1).
		if diff := cmp.Diff(bias.DispositionFromCounts(tc.got.Counts(), 1), tc.got, cmpNaN, ignoreClustered); diff != "" {
			t.Errorf("account %s: metric is not DispositionFromCounts of its counts (-want +got):\n%s", tc.name, diff)
		}
	}
	// Per-account values, by hand: A's SE = √(0.4·0.6/5 + (1/7)(6/7)/7) = √(0.048 + 0.017493) =
	// 0.255915, t = 0.257143/0.255915 = 1.00480. B's SE = √(0 + (2/3)(1/3)/3) = 0.272166,
	// t = −0.666667/0.272166 = −2.44949.
	near(t, "A.PGR", a.PGR, 0.4)
	near(t, "A.PLR", a.PLR, 0.142857)
	near(t, "A.SE", a.SE, 0.255915)
	near(t, "A.T", a.T, 1.00480)
	near(t, "B.PGR", b.PGR, 0)
	near(t, "B.SE", b.SE, 0.272166)
	near(t, "B.T", b.T, -2.44949)
	if !math.IsNaN(d.PGR) || !math.IsNaN(d.PLR) || !math.IsNaN(d.DE) || !math.IsNaN(d.T) || d.Insufficient == "" {
		t.Errorf("D = %+v, want NaN ratios with a reason", d)
	}

	pooled := bias.PoolDisposition(a.Counts(), b.Counts(), c.Counts(), d.Counts())
	// Summed: RG 2+0+3 = 5, PG 3+2+2 = 7, RL 1+2+1 = 4, PL 6+1+3 = 10; 5 moments, 1 excluded.
	sum := bias.DispositionCounts{Moments: 5, Excluded: 1, RG: 5, PG: 7, RL: 4, PL: 10}
	if diff := cmp.Diff(sum, pooled.Counts()); diff != "" {
		t.Errorf("pooled counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(bias.DispositionFromCounts(sum, bias.DefaultConfig().MinEvents), pooled, cmpNaN); diff != "" {
		t.Errorf("pooled is not the metric of the summed counts (-want +got):\n%s", diff)
	}
	// Odean's formulas on the sums, written out: exact, since the arithmetic is the same.
	pgr, plr := 5.0/12, 4.0/14
	se := math.Sqrt(pgr*(1-pgr)/12 + plr*(1-plr)/14)
	want := bias.Disposition{Moments: 5, Excluded: 1, RG: 5, PG: 7, RL: 4, PL: 10,
		PGR: pgr, PLR: plr, DE: pgr - plr, SE: se, T: (pgr - plr) / se,
		Clustered: bias.Clustered{SE: math.NaN(), T: math.NaN()}} // counts have no positions
	if diff := cmp.Diff(want, pooled, cmpNaN); diff != "" {
		t.Errorf("pooled (-want +got):\n%s", diff)
	}
	// By hand: PGR = 5/12 = 0.416667, PLR = 4/14 = 0.285714, DE = 11/84 = 0.130952,
	// SE = √((5/12)(7/12)/12 + (2/7)(5/7)/14) = √(35/1728 + 10/686) = √(0.0202546 + 0.0145773)
	// = √0.0348319 = 0.186633, t = 0.130952/0.186633 = 0.701657.
	near(t, "pooled.PGR", pooled.PGR, 0.416667)
	near(t, "pooled.PLR", pooled.PLR, 0.285714)
	near(t, "pooled.DE", pooled.DE, 0.130952)
	near(t, "pooled.SE", pooled.SE, 0.186633)
	near(t, "pooled.T", pooled.T, 0.701657)
	// Pooling is not averaging: the mean of the three defined DEs is (0.257143 − 0.666667 + 0.35)/3.
	if mean := (a.DE + b.DE + c.DE) / 3; math.Abs(mean-pooled.DE) < 0.1 {
		t.Errorf("pooled DE %v is the mean of the accounts' DEs %v", pooled.DE, mean)
	}
	// The order of the accounts does not matter.
	if diff := cmp.Diff(pooled, bias.PoolDisposition(d.Counts(), c.Counts(), b.Counts(), a.Counts()), cmpNaN); diff != "" {
		t.Errorf("pooling depends on order:\n%s", diff)
	}
}

// near fails unless got is want to the 6 significant digits of a hand computation.
func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 5e-6*max(1, math.Abs(want)) {
		t.Errorf("%s = %.9g, want %g (by hand)", name, got, want)
	}
}

func TestDispositionFromCountsEdgeCases(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	for _, tc := range []struct {
		name         string
		c            bias.DispositionCounts
		pgr, plr, tt float64
		insufficient string
	}{
		{"no gains at all: PGR undefined", bias.DispositionCounts{RL: 3, PL: 4},
			nan, 3.0 / 7, nan, "insufficient data: 0 gains (realized or paper) and 7 losses, need at least 5 of each"},
		{"no decisions", bias.DispositionCounts{Excluded: 4},
			nan, nan, nan, "insufficient data: 0 gains (realized or paper) and 0 losses, need at least 5 of each"},
		{"no realized gain: PGR 0, defined", bias.DispositionCounts{PG: 6, RL: 2, PL: 4},
			0, 2.0 / 6, -(2.0 / 6) / math.Sqrt((2.0/6)*(1-2.0/6)/6), ""},
		{"every proportion 0 or 1: SE 0", bias.DispositionCounts{RG: 5, RL: 0, PL: 5},
			1, 0, nan, "undefined: the standard error is 0 (every proportion is 0 or 1)"},
		{"negative count", bias.DispositionCounts{RG: 5, PG: -1, RL: 5, PL: 5},
			nan, nan, nan, "invalid: a count of gains or losses is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := bias.DispositionFromCounts(tc.c, 5)
			if !(got.PGR == tc.pgr || math.IsNaN(got.PGR) && math.IsNaN(tc.pgr)) {
				t.Errorf("PGR = %v, want %v", got.PGR, tc.pgr)
			}
			if !(got.PLR == tc.plr || math.IsNaN(got.PLR) && math.IsNaN(tc.plr)) {
				t.Errorf("PLR = %v, want %v", got.PLR, tc.plr)
			}
			if !(got.T == tc.tt || math.IsNaN(got.T) && math.IsNaN(tc.tt)) {
				t.Errorf("T = %v, want %v", got.T, tc.tt)
			}
			if got.Insufficient != tc.insufficient {
				t.Errorf("Insufficient = %q, want %q", got.Insufficient, tc.insufficient)
			}
			// Undefined numbers are null in JSON, never 0.
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if math.IsNaN(got.PGR) && m["pgr"] != nil {
				t.Errorf("pgr = %v in %s, want null", m["pgr"], b)
			}
		})
	}
}

// TestDispositionCountsJSONNamesAreTheMetrics: the counts carry the JSON names of the metric's
// own fields, so a researcher can read either.
func TestDispositionCountsJSONNamesAreTheMetrics(t *testing.T) {
	t.Parallel()
	c := bias.DispositionCounts{Moments: 1, Excluded: 2, RG: 3, RL: 4, PG: 5, PL: 6, PaperUnknown: 7}
	var counts, metric map[string]any
	b, _ := json.Marshal(c)
	_ = json.Unmarshal(b, &counts)
	b, _ = json.Marshal(bias.DispositionFromCounts(c, 1))
	_ = json.Unmarshal(b, &metric)
	if len(counts) != 7 {
		t.Fatalf("counts JSON %v: want 7 fields", counts)
	}
	for k, v := range counts {
		if metric[k] != v {
			t.Errorf("%s: counts say %v, metric %v", k, v, metric[k])
		}
	}
}

func TestProportionDiff(t *testing.T) {
	t.Parallel()
	// 3/10 − 1/4 = 0.05; SE = √(0.3·0.7/10 + 0.25·0.75/4) = √(0.021 + 0.046875) = √0.067875
	// = 0.260528; t = 0.05/0.260528 = 0.191918.
	p1, p2, diff, se, tt := bias.ProportionDiff(3, 10, 1, 4)
	near(t, "p1", p1, 0.3)
	near(t, "p2", p2, 0.25)
	near(t, "diff", diff, 0.05)
	near(t, "se", se, 0.260528)
	near(t, "t", tt, 0.191918)
	for _, c := range [][4]int{{1, 0, 1, 2}, {-1, 3, 1, 2}, {4, 3, 1, 2}, {1, 2, 3, 2}} {
		_, _, diff, se, tt := bias.ProportionDiff(c[0], c[1], c[2], c[3])
		if !math.IsNaN(diff) || !math.IsNaN(se) || !math.IsNaN(tt) {
			t.Errorf("ProportionDiff%v = diff %v se %v t %v, want NaN", c, diff, se, tt)
		}
	}
	if p := bias.Proportion(0, 0); !math.IsNaN(p) {
		t.Errorf("Proportion(0, 0) = %v, want NaN", p)
	}
}

// TestSaleBarMarkChangesOnlyTheAccountMetric: with DispositionMark SaleBar a held asset is judged
// on the bar of the sale, so the account metric changes where that bar differs from the last
// closed one; the per-trade tags and skips do not change at all.
func TestSaleBarMarkChangesOnlyTheAccountMetric(t *testing.T) {
	t.Parallel()
	a, b, c := coach.MustParseSymbol("AAA-USD"), coach.MustParseSymbol("BBB-USD"), coach.MustParseSymbol("CCC-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	// B trades at 100 until hour 200 and at 120 from hour 201 (the sale's bar). C has no bar at
	// hour 201.
	bBars := append(flat(b, 100, start, 201), flat(b, 120, start.Add(201*time.Hour), 99)...)
	cBars := slices.Delete(flat(c, 10, start, 300), 201, 202)
	candles := bias.CandleSeries{a: flat(a, 100, start, 300), b: bBars, c: cBars}
	var bk book
	bk.add(a, coach.Buy, start.Add(199*time.Hour), 1, 90)
	bk.add(b, coach.Buy, start.Add(199*time.Hour), 1, 110)
	bk.add(c, coach.Buy, start.Add(199*time.Hour), 1, 5)
	bk.add(a, coach.Sell, start.Add(201*time.Hour+10*time.Minute), 1, 100)

	last := lenient()
	sale := lenient()
	sale.DispositionMark = bias.SaleBar
	// Last closed bar (hour 200): B's high 100 < 110, a paper loss; C's low 10 > 5, a paper gain.
	got := mustScore(t, bk.trades, candles, last).Account.Disposition.Counts()
	if want := (bias.DispositionCounts{Moments: 1, RG: 1, PG: 1, PL: 1}); got != want {
		t.Errorf("last closed bar: counts %+v, want %+v", got, want)
	}
	// Sale bar (hour 201): B's low 120 > 110, a paper gain; C has no bar, unknown.
	got = mustScore(t, bk.trades, candles, sale).Account.Disposition.Counts()
	if want := (bias.DispositionCounts{Moments: 1, RG: 1, PG: 1, PaperUnknown: 1}); got != want {
		t.Errorf("sale bar: counts %+v, want %+v", got, want)
	}

	// On the fixtures, tags and skips are identical, and only the disposition metric changes.
	fx := newFixture()
	bt, bc := benchMarket(3000)
	for _, in := range []struct {
		name    string
		trades  []coach.Trade
		candles bias.CandleSeries
	}{{"fixture", fx.trades, fx.candles}, {"bench", bt, bc}} {
		cfg := bias.DefaultConfig()
		def := mustScore(t, in.trades, in.candles, cfg)
		cfg.DispositionMark = bias.SaleBar
		odean := mustScore(t, in.trades, in.candles, cfg)
		if diff := cmp.Diff(def.Tags, odean.Tags); diff != "" {
			t.Errorf("%s: tags changed with SaleBar (-default +saleBar):\n%s", in.name, diff)
		}
		if diff := cmp.Diff(def.Skipped, odean.Skipped); diff != "" {
			t.Errorf("%s: skips changed with SaleBar:\n%s", in.name, diff)
		}
		d, o := def.Account.Disposition, odean.Account.Disposition
		// Realized counts and moments do not depend on the mark; the paper ones do.
		if d.Moments != o.Moments || d.Excluded != o.Excluded || d.RG != o.RG || d.RL != o.RL {
			t.Errorf("%s: realized counts changed: %+v vs %+v", in.name, d.Counts(), o.Counts())
		}
		if in.name == "bench" && d.Counts() == o.Counts() {
			t.Errorf("%s: SaleBar changed no paper count (%+v): the test shows nothing", in.name, d.Counts())
		}
		def.Account.Disposition, odean.Account.Disposition = bias.Disposition{}, bias.Disposition{}
		for _, r := range []*bias.Result{&def, &odean} {
			for i := range r.Account.Windows {
				r.Account.Windows[i].Disposition = bias.Disposition{}
			}
		}
		if diff := cmp.Diff(def.Account, odean.Account, cmpNaN); diff != "" {
			t.Errorf("%s: other account metrics changed:\n%s", in.name, diff)
		}
	}
}

func TestConfigValidatesDispositionMark(t *testing.T) {
	t.Parallel()
	for _, m := range []bias.Mark{"", bias.LastClosedBar, bias.SaleBar} {
		cfg := bias.DefaultConfig()
		cfg.DispositionMark = m
		if err := cfg.Validate(); err != nil {
			t.Errorf("mark %q: %v", m, err)
		}
	}
	cfg := bias.DefaultConfig()
	cfg.DispositionMark = "closeOfDay"
	err := cfg.Validate()
	if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(err.Error(), "DispositionMark") {
		t.Errorf("bad mark: %v, want invalid naming DispositionMark", err)
	}
	if bias.DefaultConfig().DispositionMark != bias.LastClosedBar {
		t.Error("the default mark is not LastClosedBar")
	}
}

// TestAccountRatiosFromTheirCounts: every account ratio is recomputed, bit for bit, from the
// exported counts beside it.
func TestAccountRatiosFromTheirCounts(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	cfg := bias.DefaultConfig()
	a := mustScore(t, fx.trades, fx.candles, cfg).Account
	if diff := cmp.Diff(bias.DispositionFromCounts(a.Disposition.Counts(), cfg.MinEvents), a.Disposition, cmpNaN, ignoreClustered); diff != "" {
		t.Errorf("disposition from counts (-want +got):\n%s", diff)
	}
	l := a.LossChasing
	pl, pg, diff, se, tt := bias.ProportionDiff(l.BigAfterLoss, l.AfterLoss, l.BigAfterGain, l.AfterGain)
	if got := [5]float64{l.PLoss, l.PGain, l.Diff, l.SE, l.T}; got != [5]float64{pl, pg, diff, se, tt} {
		t.Errorf("loss chasing %v, from counts %v", got, [5]float64{pl, pg, diff, se, tt})
	}
	o := a.Overtrading
	if o.Months == 0 || o.FeeDrag != o.Fees/o.MeanValue || o.FeeRate != o.Fees/o.Notional ||
		o.TradesPerActiveDay != float64(o.Trades)/float64(o.ActiveDays) {
		t.Errorf("overtrading ratios are not their fields' ratios: %+v", o)
	}
}

// ignoreClustered compares a Disposition without its clustered SE: DispositionFromCounts has no
// positions to cluster by.
var ignoreClustered = cmpopts.IgnoreFields(bias.Disposition{}, "Clustered")
