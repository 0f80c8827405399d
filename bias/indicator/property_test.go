package indicator_test

import (
	stdcmp "cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// refTolerance is how far the package may be from the naive references: relative 1e-9, or
// absolutely abs for values near 0 (returns, MACD crossing 0; 1e-12 unless the spec says).
func refTolerance(abs float64) cmp.Option {
	return cmp.Options{cmpopts.EquateApprox(1e-9, abs), cmpopts.EquateNaNs(), cmpopts.EquateEmpty()}
}

// bitwise compares floats bit for bit, except that every NaN equals every NaN.
var bitwise = cmp.Options{
	cmp.Comparer(func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b)
	}),
	cmpopts.EquateEmpty(),
}

// walk returns n prices from a random walk on a 0.01 tick around start, with runs of equal
// prices (flat markets) of up to maxFlat bars.
func walk(r *rand.Rand, n int, start float64, maxFlat int) []float64 {
	xs := make([]float64, n)
	p := math.Round(start * 100)
	for i := 0; i < n; {
		if r.IntN(4) == 0 { // a flat run
			for k := 1 + r.IntN(maxFlat); k > 0 && i < n; k-- {
				xs[i] = p / 100
				i++
			}
			continue
		}
		p += float64(r.IntN(41) - 20)
		p = max(p, 1)
		xs[i] = p / 100
		i++
	}
	return xs
}

// randomBars returns n candles around a random walk, with flat runs in prices and in volumes
// (including runs of zero volume) and occasional volume spikes.
func randomBars(r *rand.Rand, n int, start float64, maxFlat int) bars {
	b := bars{close: walk(r, n, start, maxFlat)}
	b.high, b.low, b.volume = make([]float64, n), make([]float64, n), make([]float64, n)
	v := 1000.0
	for i, c := range b.close {
		b.high[i] = c + float64(r.IntN(30))/100
		b.low[i] = c - float64(r.IntN(30))/100
		switch r.IntN(20) {
		case 0:
			v = 0 // an illiquid stretch, until the next change
		case 1:
			v = 1e9 * r.Float64() // a spike
		case 2, 3, 4, 5, 6, 7, 8, 9:
			v = 1000 * r.ExpFloat64()
		}
		b.volume[i] = v
	}
	return b
}

// withGaps returns a copy of b in which about one bar in 30 has a field that is a gap: NaN,
// ±Inf, or a price or volume out of its domain (0, −1).
func withGaps(r *rand.Rand, b bars) bars {
	c := bars{
		high:   append([]float64(nil), b.high...),
		low:    append([]float64(nil), b.low...),
		close:  append([]float64(nil), b.close...),
		volume: append([]float64(nil), b.volume...),
	}
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, -1}
	for i := range c.close {
		if r.IntN(30) != 0 {
			continue
		}
		f := [][]float64{c.high, c.low, c.close, c.volume}[r.IntN(4)]
		f[i] = bad[r.IntN(len(bad))]
	}
	return c
}

// TestStreamingMatchesBatch runs every indicator on random series (with flat runs, with and
// without gaps) of several lengths and periods, and checks that
//   - the batch result equals a fresh stream's bit for bit, and a stream reused after Reset;
//   - ok is false exactly when the value is NaN;
//   - both equal the naive reference (fresh sums over each window, restart after each gap).
func TestStreamingMatchesBatch(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		for _, length := range []int{0, 1, 2, 3, 10, 37, 257, 1000} {
			for _, n := range []int{1, 2, 3, 5, 14, 20, 50} {
				r := rand.New(rand.NewPCG(seed, uint64(length*1000+n)))
				clean := randomBars(r, length, 100, 3*n)
				series := map[string]bars{"clean": clean, "gaps": withGaps(r, clean)}
				for kind, b := range series {
					for _, sp := range specs(n) {
						name := fmt.Sprintf("%s/%s/seed=%d/len=%d/n=%d", sp.name, kind, seed, length, n)
						checkSpec(t, name, sp, b)
					}
				}
			}
		}
	}
}

// checkSpec runs the checks of TestStreamingMatchesBatch for one indicator and series.
func checkSpec(t *testing.T, name string, sp spec, b bars) {
	t.Helper()
	batch := sp.batch(b)
	s := sp.stream()
	streamed, okAgrees := s.run(b, len(batch))
	if !sameBits(batch, streamed) {
		t.Errorf("%s: batch and stream differ (-batch +stream):\n%s", name, cmp.Diff(batch, streamed, bitwise))
	}
	if !okAgrees {
		t.Errorf("%s: ok is not exactly !NaN(value)", name)
	}
	s.reset()
	if again, _ := s.run(b, len(batch)); !sameBits(batch, again) {
		t.Errorf("%s: a stream reused after Reset differs from a fresh one", name)
	}
	ref := segmented(len(b.close), func(i int) bool { return sp.valid(b, i) }, func(from, to int) [][]float64 {
		return sp.ref(b, from, to)
	}, len(batch))
	abs := stdcmp.Or(sp.abs, 1e-12)
	if !near(ref, batch, abs) {
		t.Errorf("%s: differs from the naive reference (-ref +got):\n%s", name, cmp.Diff(ref, batch, refTolerance(abs)))
	}
}

// TestLookbackIsFirstValue checks that each stream's Lookback is the index of the first value
// on a gap-free series, as TA-Lib's lookback functions are.
func TestLookbackIsFirstValue(t *testing.T) {
	for _, n := range []int{1, 2, 5, 14, 30} {
		r := rand.New(rand.NewPCG(7, uint64(n)))
		b := randomBars(r, 200, 100, 1)
		for i := range b.volume {
			b.volume[i] = 1 + r.Float64() // a baseline that is never 0
		}
		want := lookbacks(n)
		for _, sp := range specs(n) {
			if sp.lookback != want[sp.name] {
				t.Errorf("%s(n=%d): Lookback() = %d, the spec says %d", sp.name, n, want[sp.name], sp.lookback)
			}
			for k, out := range sp.batch(b) {
				if got := firstDefined(out); got != want[sp.name] {
					t.Errorf("%s(n=%d) output %d: first value at %d, Lookback() = %d", sp.name, n, k, got, want[sp.name])
				}
			}
		}
	}
}

// TestGapRestartsStream checks the gap rule: the output after a gap equals a fresh stream's
// output on the bars after it.
func TestGapRestartsStream(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 0))
	b := randomBars(r, 300, 100, 5)
	const gapAt = 120
	b.close[gapAt], b.high[gapAt], b.volume[gapAt] = math.NaN(), math.Inf(1), -1
	tail := bars{high: b.high[gapAt+1:], low: b.low[gapAt+1:], close: b.close[gapAt+1:], volume: b.volume[gapAt+1:]}
	for _, sp := range specs(14) {
		whole := sp.batch(b)
		fresh := sp.batch(tail)
		for k := range whole {
			if diff := cmp.Diff(fresh[k], whole[k][gapAt+1:], bitwise); diff != "" {
				t.Errorf("%s output %d after the gap (-fresh +continued):\n%s", sp.name, k, diff)
			}
			if v := whole[k][gapAt]; !math.IsNaN(v) {
				t.Errorf("%s output %d at the gap = %v, want NaN", sp.name, k, v)
			}
		}
	}
}

// sameBits is the bitwise comparison, fast enough for the thousands of series checked here;
// cmp.Diff then shows where they differ.
func sameBits(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if len(a[k]) != len(b[k]) {
			return false
		}
		for i, x := range a[k] {
			if y := b[k][i]; math.Float64bits(x) != math.Float64bits(y) && !(x != x && y != y) {
				return false
			}
		}
	}
	return true
}

// near is refTolerance, fast.
func near(want, got [][]float64, abs float64) bool {
	if len(want) != len(got) {
		return false
	}
	for k := range want {
		if len(want[k]) != len(got[k]) {
			return false
		}
		for i, w := range want[k] {
			g := got[k][i]
			switch {
			case w != w || g != g:
				if w == w || g == g {
					return false
				}
			case math.Abs(w-g) > max(1e-9*min(math.Abs(w), math.Abs(g)), abs):
				return false
			}
		}
	}
	return true
}
