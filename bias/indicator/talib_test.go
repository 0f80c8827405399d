package indicator_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradecoach/coach/bias/indicator"
)

// taLibTolerance is how far a value may be from TA-Lib's. The expected CSV carries 12 decimals.
const taLibTolerance = 1e-9

// taLibInput is testdata/talib_ref_252.json: TA-Lib's 252-bar regression-test series.
type taLibInput struct {
	Source string     `json:"source"`
	High   []float64  `json:"high"`
	Low    []float64  `json:"low"`
	Close  []float64  `json:"close"`
	ATR14  []*float64 `json:"expected_atr14"` // null during the warm-up
}

// loadTALib reads the TA-Lib input series and the expected outputs, one column per CSV header
// name, NaN where the CSV cell is empty (TA-Lib gives no value).
func loadTALib(t *testing.T) (taLibInput, map[string][]float64) {
	t.Helper()
	raw, err := os.ReadFile("testdata/talib_ref_252.json")
	if err != nil {
		t.Fatal(err)
	}
	var in taLibInput
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/talib_ref_expected.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string][]float64{}
	for _, row := range rows[1:] {
		for j, cell := range row {
			v := math.NaN()
			if cell != "" {
				if v, err = strconv.ParseFloat(cell, 64); err != nil {
					t.Fatalf("%s: %v", rows[0][j], err)
				}
			}
			cols[rows[0][j]] = append(cols[rows[0][j]], v)
		}
	}
	if len(in.Close) != 252 || len(cols["close"]) != 252 {
		t.Fatalf("fixtures: %d closes in JSON, %d rows in CSV, want 252", len(in.Close), len(cols["close"]))
	}
	return in, cols
}

// approx compares floats to within tol, with NaN equal to NaN and to nothing else.
func approx(tol float64) cmp.Option {
	return cmp.Options{cmpopts.EquateApprox(0, tol), cmpopts.EquateNaNs()}
}

func TestTALibFixturesAgree(t *testing.T) {
	in, cols := loadTALib(t)
	for name, got := range map[string][]float64{"high": in.High, "low": in.Low, "close": in.Close} {
		if diff := cmp.Diff(cols[name], got); diff != "" {
			t.Errorf("%s: JSON input differs from the CSV (-csv +json):\n%s", name, diff)
		}
	}
}

func TestMatchesTALib(t *testing.T) {
	in, cols := loadTALib(t)
	bbU, bbM, bbL := indicator.Bollinger(in.Close, 20, 2)
	macd, signal, hist := indicator.MACD(in.Close, 12, 26, 9)
	for _, tc := range []struct {
		column   string
		got      []float64
		lookback int
	}{
		{"sma30", indicator.SMA(in.Close, 30), must(indicator.NewSMA(30)).Lookback()},
		{"ema10", indicator.EMA(in.Close, 10), must(indicator.NewEMA(10)).Lookback()},
		{"rsi14", indicator.RSI(in.Close, 14), must(indicator.NewRSI(14)).Lookback()},
		{"atr14", indicator.ATR(in.High, in.Low, in.Close, 14), must(indicator.NewATR(14)).Lookback()},
		{"bb20_upper", bbU, must(indicator.NewBollinger(20, 2)).Lookback()},
		{"bb20_middle", bbM, must(indicator.NewBollinger(20, 2)).Lookback()},
		{"bb20_lower", bbL, must(indicator.NewBollinger(20, 2)).Lookback()},
		{"macd", macd, must(indicator.NewMACD(12, 26, 9)).Lookback()},
		{"macd_signal", signal, must(indicator.NewMACD(12, 26, 9)).Lookback()},
		{"macd_hist", hist, must(indicator.NewMACD(12, 26, 9)).Lookback()},
		{"zscore20_pop", indicator.ZScore(in.Close, 20), must(indicator.NewZScore(20)).Lookback()},
	} {
		t.Run(tc.column, func(t *testing.T) {
			want, ok := cols[tc.column]
			if !ok {
				t.Fatalf("no column %q in the CSV", tc.column)
			}
			if diff := cmp.Diff(want, tc.got, approx(taLibTolerance)); diff != "" {
				t.Errorf("(-TA-Lib +got):\n%s", diff)
			}
			if first := firstDefined(want); first != tc.lookback {
				t.Errorf("Lookback() = %d, TA-Lib's first value is at index %d", tc.lookback, first)
			}
		})
	}
}

// TestMatchesTALibSpotValues checks the values TA-Lib's own regression tests list, at the full
// precision of a re-implementation (research/bias_science.md §11.2).
func TestMatchesTALibSpotValues(t *testing.T) {
	in, _ := loadTALib(t)
	rsi := indicator.RSI(in.Close, 14)
	atr := indicator.ATR(in.High, in.Low, in.Close, 14)
	ema10 := indicator.EMA(in.Close, 10)
	ema2 := indicator.EMA(in.Close, 2)
	bbU, bbM, bbL := indicator.Bollinger(in.Close, 20, 2)
	macd, signal, hist := indicator.MACD(in.Close, 12, 26, 9)
	got := map[string]float64{
		"RSI14[14]":  rsi[14],
		"RSI14[15]":  rsi[15],
		"RSI14[16]":  rsi[16],
		"RSI14[251]": rsi[251],
		"RSI9[9]":    indicator.RSI(in.Close, 9)[9],
		"EMA10[9]":   ema10[9],
		"EMA10[10]":  ema10[10],
		"EMA2[1]":    ema2[1],
		"BBU[19]":    bbU[19],
		"BBM[19]":    bbM[19],
		"BBL[19]":    bbL[19],
		"MACD[33]":   macd[33],
		"Signal[33]": signal[33],
		"Hist[33]":   hist[33],
		"ATR14[14]":  atr[14],
		"ATR14[251]": atr[251],
	}
	want := map[string]float64{
		"RSI14[14]":  49.14733969986360,
		"RSI14[15]":  52.32555279533660,
		"RSI14[16]":  46.07239657691370,
		"RSI14[251]": 49.63210207086760,
		"RSI9[9]":    53.58197932053180,
		"EMA10[9]":   93.2255,
		"EMA10[10]":  93.7526818182,
		"EMA2[1]":    93.1575,
		"BBU[19]":    98.0733948132,
		"BBM[19]":    92.891,
		"BBL[19]":    87.7086051868,
		"MACD[33]":   -1.9738314311,
		"Signal[33]": -2.7071077420,
		"Hist[33]":   0.7332763109,
		"ATR14[14]":  3.57821428571429,
		"ATR14[251]": 3.26080948116814,
	}
	if diff := cmp.Diff(want, got, approx(taLibTolerance)); diff != "" {
		t.Errorf("(-TA-Lib +got):\n%s", diff)
	}
}

// TestMatchesTALibATRArray compares the whole ATR(14) array shipped with the input.
func TestMatchesTALibATRArray(t *testing.T) {
	in, _ := loadTALib(t)
	want := make([]float64, len(in.ATR14))
	for i, v := range in.ATR14 {
		want[i] = math.NaN()
		if v != nil {
			want[i] = *v
		}
	}
	if diff := cmp.Diff(want, indicator.ATR(in.High, in.Low, in.Close, 14), approx(taLibTolerance)); diff != "" {
		t.Errorf("(-TA-Lib +got):\n%s", diff)
	}
}

// firstDefined returns the index of the first non-NaN value of xs, or -1.
func firstDefined(xs []float64) int {
	for i, x := range xs {
		if !math.IsNaN(x) {
			return i
		}
	}
	return -1
}

// must returns v, and panics if err is not nil; for constructors with valid parameters.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
