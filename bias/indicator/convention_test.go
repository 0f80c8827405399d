package indicator_test

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach/bias/indicator"
)

// nan is NaN, to write expected slices.
var nan = math.NaN()

// TestConventions pins each documented convention with a small hand-computed case.
func TestConventions(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []float64
		want []float64
	}{
		// RSI.
		{"RSI/flat from the start is 0, as TA-Lib", indicator.RSI([]float64{5, 5, 5, 5, 5}, 2), []float64{nan, nan, 0, 0, 0}},
		{"RSI/only gains is 100", indicator.RSI([]float64{1, 2, 3, 4}, 2), []float64{nan, nan, 100, 100}},
		{"RSI/only losses is 0", indicator.RSI([]float64{4, 3, 2, 1}, 2), []float64{nan, nan, 0, 0}},
		{"RSI/flat after rising keeps 100", indicator.RSI([]float64{1, 2, 3, 3, 3, 3}, 2), []float64{nan, nan, 100, 100, 100, 100}},
		// Seed G = L = 0.5 (RSI 50); +1 gives G = 0.75, L = 0.25 (75); flat bars halve both.
		{"RSI/flat after moving keeps its value", indicator.RSI([]float64{1, 2, 1, 2, 2, 2, 2}, 2)[3:], []float64{75, 75, 75, 75}},
		{
			// G+L ≈ 1e-10 < TA-Lib's 1e-8 tolerance, which would give 0 all along.
			"RSI/micro-priced coin is not pinned to 0",
			indicator.RSI([]float64{1e-7, 1.001e-7, 1e-7, 1.001e-7, 1e-7}, 2)[2:],
			[]float64{50, 75, 37.5},
		},

		// Population standard deviation and σ = 0.
		{"ZScore/flat window is 0", indicator.ZScore([]float64{3, 3, 3, 3}, 3), []float64{nan, nan, 0, 0}},
		{"ZScore/population σ", indicator.ZScore([]float64{1, 3}, 2), []float64{nan, 1}},
		{"ZScore/jump then flat", indicator.ZScore([]float64{1, 4, 4, 4}, 3), []float64{nan, nan, 1 / math.Sqrt2, 0}},
		{"Bollinger/flat window collapses onto the middle", flatten(indicator.Bollinger([]float64{7, 7, 7}, 3, 2)), []float64{nan, nan, 7, nan, nan, 7, nan, nan, 7}},
		{"Bollinger/population σ", flatten(indicator.Bollinger([]float64{1, 3}, 2, 2)), []float64{nan, 4, nan, 2, nan, 0}},
		{
			// Variance 1e-20, far below TA-Lib's 1e-8 tolerance, which would collapse the bands.
			"Bollinger/micro-priced coin keeps its width",
			flatten(indicator.Bollinger([]float64{1e-6, 1e-6 + 2e-10}, 2, 1)),
			[]float64{nan, 1e-6 + 2e-10, nan, 1e-6 + 1e-10, nan, 1e-6},
		},
		{"Volatility/flat market is 0", indicator.Volatility([]float64{9, 9, 9, 9}, 2), []float64{nan, nan, 0, 0}},
		{"Volatility/constant growth is 0", indicator.Volatility([]float64{1, 2, 4, 8, 16}, 3), []float64{nan, nan, nan, 0, 0}},
		{"Volatility/population σ of log returns", indicator.Volatility([]float64{1, math.E, 1}, 2), []float64{nan, nan, 1}},

		// Abnormal volume.
		{"AbnormalVolume/excludes the current bar", indicator.AbnormalVolume([]float64{1, 1, 1, 4}, 3), []float64{nan, nan, nan, 4}},
		{"AbnormalVolume/zero baseline is NaN", indicator.AbnormalVolume([]float64{0, 0, 0, 5, 0}, 3), []float64{nan, nan, nan, nan, 0}},
		{"AbnormalVolume/negative volume is a gap", indicator.AbnormalVolume([]float64{2, 2, -1, 2, 2, 6}, 2), []float64{nan, nan, nan, nan, nan, 3}},

		// Returns.
		{"SimpleReturn/over k bars", indicator.SimpleReturn([]float64{1, 2, 3, 6}, 2), []float64{nan, nan, 2, 2}},
		{"SimpleReturn/zero price is a gap", indicator.SimpleReturn([]float64{1, 2, 0, 4, 8}, 1), []float64{nan, 1, nan, nan, 1}},
		{"LogReturn/doubling is ln 2", indicator.LogReturn([]float64{3, 6, 12}, 1), []float64{nan, math.Ln2, math.Ln2}},
		{"LogReturn/negative price is a gap", indicator.LogReturn([]float64{3, -6, 12, 24}, 1), []float64{nan, nan, nan, math.Ln2}},

		// Rolling extremes include the current bar.
		{"Highest/includes the current bar", indicator.Highest([]float64{1, 3, 2, 1, 0, 5}, 2), []float64{nan, 3, 3, 2, 1, 5}},
		{"Lowest/includes the current bar", indicator.Lowest([]float64{1, 3, 2, 1, 0, 5}, 2), []float64{nan, 1, 2, 1, 0, 0}},
		{"Highest/ties and a long window", indicator.Highest([]float64{2, 2, 1, 2, 1, 1, 1}, 3), []float64{nan, nan, 2, 2, 2, 2, 1}},

		// ATR: TR[1] = max(1, |10−12|, |10−11|) = 2, TR[2] = max(2, |11.5−13|, |11.5−11|) = 2, then
		// Wilder: (2·1 + TR[3] = 1)/2 with TR[3] = max(1, |12−12.5|, |12−11.5|) = 1.
		{"ATR/TA-Lib seeding and Wilder smoothing", indicator.ATR([]float64{10, 12, 13, 12.5}, []float64{9, 11, 11, 11.5}, []float64{10, 11.5, 12, 12}, 2), []float64{nan, nan, 2, 1.5}},

		// Gaps restart the warm-up.
		{"SMA/NaN is a gap", indicator.SMA([]float64{1, 2, nan, 3, 4, 5}, 2), []float64{nan, 1.5, nan, nan, 3.5, 4.5}},
		{"EMA/+Inf is a gap that reseeds", indicator.EMA([]float64{1, 3, math.Inf(1), 5, 7, 9}, 2), []float64{nan, 2, nan, nan, 6, 6 + (9-6)*2.0/3}},
		{"RSI/-Inf is a gap", indicator.RSI([]float64{1, 2, 3, math.Inf(-1), 3, 2, 1}, 2), []float64{nan, nan, 100, nan, nan, nan, 0}},
		{"ATR/NaN field is a gap", indicator.ATR([]float64{2, 2, nan, 2, 2}, []float64{1, 1, 1, 1, 1}, []float64{1.5, 1.5, 1.5, 1.5, 1.5}, 1), []float64{nan, 1, nan, nan, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got, approx(1e-12)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestFlatIsExact checks that flat windows give their value and σ = 0 exactly, not up to
// rounding, even after a history of moves has passed through the running sums.
func TestFlatIsExact(t *testing.T) {
	xs := []float64{60000.01, 59999.37, 60001.13, 60000.5, 0.1, 1e9, 60000.07}
	for range 25 {
		xs = append(xs, 60000.07)
	}
	last := len(xs) - 1
	u, m, l := indicator.Bollinger(xs, 20, 2)
	got := []float64{indicator.SMA(xs, 20)[last], u[last], m[last], l[last], indicator.ZScore(xs, 20)[last]}
	want := []float64{60000.07, 60000.07, 60000.07, 60000.07, 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SMA, upper, middle, lower, z-score (-want +got):\n%s", diff)
	}
}

// TestInvalidParameters checks the error convention: constructors return an error wrapping
// ErrInvalidParam, and batch functions return all NaN of the input's length.
func TestInvalidParameters(t *testing.T) {
	xs := []float64{1, 2, 3}
	allNaN := []float64{nan, nan, nan}
	for _, n := range []int{0, -1, indicator.MaxPeriod + 1} {
		for name, err := range map[string]error{
			"SMA":            second(indicator.NewSMA(n)),
			"EMA":            second(indicator.NewEMA(n)),
			"RSI":            second(indicator.NewRSI(n)),
			"ATR":            second(indicator.NewATR(n)),
			"Bollinger":      second(indicator.NewBollinger(n, 2)),
			"MACD fast":      second(indicator.NewMACD(n, 26, 9)),
			"MACD slow":      second(indicator.NewMACD(1, n, 9)),
			"MACD signal":    second(indicator.NewMACD(12, 26, n)),
			"SimpleReturn":   second(indicator.NewSimpleReturn(n)),
			"LogReturn":      second(indicator.NewLogReturn(n)),
			"ZScore":         second(indicator.NewZScore(n)),
			"Volatility":     second(indicator.NewVolatility(n)),
			"AbnormalVolume": second(indicator.NewAbnormalVolume(n)),
			"Highest":        second(indicator.NewHighest(n)),
			"Lowest":         second(indicator.NewLowest(n)),
		} {
			if !errors.Is(err, indicator.ErrInvalidParam) {
				t.Errorf("New%s(%d): error %v, want ErrInvalidParam", name, n, err)
			}
		}
		u, m, l := indicator.Bollinger(xs, n, 2)
		ms, sg, h := indicator.MACD(xs, 12, n, 9)
		for name, got := range map[string][]float64{
			"SMA": indicator.SMA(xs, n), "EMA": indicator.EMA(xs, n), "RSI": indicator.RSI(xs, n),
			"ATR":             indicator.ATR(xs, xs, xs, n),
			"Bollinger upper": u, "Bollinger middle": m, "Bollinger lower": l,
			"MACD": ms, "MACD signal": sg, "MACD hist": h,
			"SimpleReturn": indicator.SimpleReturn(xs, n), "LogReturn": indicator.LogReturn(xs, n),
			"ZScore": indicator.ZScore(xs, n), "Volatility": indicator.Volatility(xs, n),
			"AbnormalVolume": indicator.AbnormalVolume(xs, n),
			"Highest":        indicator.Highest(xs, n), "Lowest": indicator.Lowest(xs, n),
		} {
			if diff := cmp.Diff(allNaN, got, approx(0)); diff != "" {
				t.Errorf("%s(n=%d) (-want +got):\n%s", name, n, diff)
			}
		}
	}
	for name, err := range map[string]error{
		"Bollinger k<0":   second(indicator.NewBollinger(20, -1)),
		"Bollinger k=NaN": second(indicator.NewBollinger(20, math.NaN())),
		"Bollinger k=Inf": second(indicator.NewBollinger(20, math.Inf(1))),
		"MACD fast>slow":  second(indicator.NewMACD(26, 12, 9)),
		"MACD fast=slow":  second(indicator.NewMACD(12, 12, 9)),
	} {
		if !errors.Is(err, indicator.ErrInvalidParam) {
			t.Errorf("%s: error %v, want ErrInvalidParam", name, err)
		}
	}
	if diff := cmp.Diff(allNaN, indicator.ATR(xs[:2], xs, xs, 1), approx(0)); diff != "" {
		t.Errorf("ATR with a short high slice (-want +got):\n%s", diff)
	}
	if _, err := indicator.NewSMA(indicator.MaxPeriod); err != nil {
		t.Errorf("NewSMA(MaxPeriod): %v", err)
	}
}

// flatten concatenates slices, to compare several outputs at once.
func flatten(xss ...[]float64) []float64 {
	var out []float64
	for _, xs := range xss {
		out = append(out, xs...)
	}
	return out
}

// second returns its second argument: the error of a constructor.
func second[T any](_ T, err error) error { return err }

// TestExtremumTiesGoToTheNewest checks that of equal values the newest is the extremum, which
// shows only for ±0: the highest (and the lowest) of +0 then −0 is −0.
func TestExtremumTiesGoToTheNewest(t *testing.T) {
	t.Parallel()
	neg := math.Copysign(0, -1)
	xs := []float64{0, neg, 1, 0, neg}
	got := [][]float64{indicator.Highest(xs, 2), indicator.Lowest(xs, 2)}
	want := [][]float64{{nan, neg, 1, 1, neg}, {nan, neg, neg, 0, neg}}
	if diff := cmp.Diff(want, got, bitwise); diff != "" {
		t.Errorf("Highest, Lowest over 2 bars (-want +got):\n%s", diff)
	}
}
