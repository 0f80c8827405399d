package talibbench

import (
	"math"
	"testing"
)

// TestAgreesWithTalib checks that ours and go-talib's agree on the benchmark's year of candles
// wherever their conventions coincide, so that the benchmark compares the same computation.
// Where they differ, by convention:
//
//   - During the warm-up (lookback) ours gives NaN and go-talib 0: compared from the first value
//     on only, and ours must be NaN before it.
//   - Bollinger's σ: go-talib computes E[x²]−E[x]² over raw prices with running sums (as TA-Lib
//     does), which at 60,000 moving by cents loses most of its digits and drifts over the year;
//     ours sums deviations from a recent mean. The middle bands agree to 1e-9; the outer bands
//     only to the looser tolerance below, and ours are the accurate ones (the indicator
//     package's TestNoDriftOnALongStream checks them against fresh sums).
//   - MACD: go-talib seeds its fast EMA on bar fast-1 from the first fast closes, and its signal
//     EMA with zeros before the first MACD value; TA-Lib (and ours) seed both EMAs on bar slow-1
//     and the signal with the first signal MACD values. The difference decays by (1-k) a bar, so
//     the values agree from a few hundred bars on: compared from bar 1,000.
func TestAgreesWithTalib(t *testing.T) {
	for _, k := range Cases() {
		if k.Name == "All" {
			continue
		}
		ours, theirs := k.Ours(year), k.Talib(year)
		if len(ours) != len(theirs) {
			t.Fatalf("%s: %d outputs, go-talib %d", k.Name, len(ours), len(theirs))
		}
		for j := range ours {
			tol, from := tolerance(k.Name, j)
			first := firstDefined(ours[j])
			if first < 0 || first > 40 {
				t.Errorf("%s output %d: first value at %d", k.Name, j, first)
				continue
			}
			worst, at := 0.0, -1
			for i := max(first, from); i < len(ours[j]); i++ {
				a, b := ours[j][i], theirs[j][i]
				if d := math.Abs(a-b) / max(1, math.Abs(b)); !(d <= worst) {
					worst, at = d, i
				}
			}
			t.Logf("%s output %d: first value at %d, largest difference %.3g (at %d)", k.Name, j, first, worst, at)
			if !(worst <= tol) {
				t.Errorf("%s output %d: ours %v, go-talib %v at bar %d: relative difference %.3g, want ≤ %g",
					k.Name, j, ours[j][at], theirs[j][at], at, worst, tol)
			}
		}
	}
}

// tolerance returns how far output j of the named indicator may be from go-talib's (relative,
// or absolute below 1), and the first bar compared.
func tolerance(name string, j int) (tol float64, from int) {
	switch {
	case name == "Bollinger" && j != 1:
		return 1e-6, 0
	case name == "MACD":
		return 1e-9, 1_000
	}
	return 1e-9, 0
}

// firstDefined returns the index of the first value that is not NaN, or -1.
func firstDefined(xs []float64) int {
	for i, x := range xs {
		if x == x {
			return i
		}
	}
	return -1
}
