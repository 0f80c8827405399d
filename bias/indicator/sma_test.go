package indicator_test

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach/bias/indicator"
)

// exactMeans returns the mean of each window of n of xs (NaN before the first) to 200 bits,
// rounded to float64, with a sliding sum: every series here spans less than 2^120 between its
// smallest and largest magnitude, so the 200-bit sums and differences are exact.
func exactMeans(xs []float64, n int) []float64 {
	out := nanSlice(len(xs))
	sum := new(big.Float).SetPrec(200)
	x, mean, div := new(big.Float).SetPrec(200), new(big.Float).SetPrec(200), new(big.Float).SetPrec(200).SetInt64(int64(n))
	for i := range xs {
		sum.Add(sum, x.SetFloat64(xs[i]))
		if i >= n {
			sum.Sub(sum, x.SetFloat64(xs[i-n]))
		}
		if i >= n-1 {
			out[i], _ = mean.Quo(sum, div).Float64()
		}
	}
	return out
}

// nonNegativeSeries returns length non-negative values of the kinds SMA is fed: prices moving by
// cents around 60,000, volumes of 1e-3 with spikes of 1e12 and runs of 0, and prices of a coin
// worth 1e-8.
func nonNegativeSeries(r *rand.Rand, length int) map[string][]float64 {
	prices, volumes, tiny := make([]float64, length), make([]float64, length), make([]float64, length)
	p := 6_000_000.0
	for i := range length {
		p += float64(r.IntN(201) - 100)
		prices[i] = p / 100
		switch {
		case i%97 == 0:
			volumes[i] = 1e12 * (1 + r.Float64())
		case i%13 < 3:
			volumes[i] = 0
		default:
			volumes[i] = 1e-3 * (1 + r.Float64())
		}
		tiny[i] = 1e-8 * (1 + r.Float64())
	}
	return map[string][]float64{"prices": prices, "volumes": volumes, "tiny": tiny}
}

// TestSMAWithinBoundOfExactMean checks SMA on non-negative inputs against the mean computed to
// 200 bits: within the bound the package doc states for plain sums, (n+2)·2⁻⁵³ relative (n ≤
// 1024), and within 4·2⁻⁵³ for longer windows, which are summed compensated. The figures in the
// messages are the worst errors seen, in units of 2⁻⁵³.
func TestSMAWithinBoundOfExactMean(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 13))
	for name, xs := range nonNegativeSeries(r, 6000) {
		for _, n := range []int{1, 2, 3, 14, 30, 252, 1024, 1025, 2000} {
			bound := float64(n + 2)
			if n > 1024 {
				bound = 4
			}
			got, exact := indicator.SMA(xs, n), exactMeans(xs, n)
			worst := 0.0
			for i := n - 1; i < len(xs); i++ {
				want := exact[i]
				if want == 0 {
					if got[i] != 0 {
						t.Fatalf("%s n=%d i=%d: got %v, want 0", name, n, i, got[i])
					}
					continue
				}
				worst = max(worst, math.Abs(got[i]-want)/want/0x1p-53)
			}
			if worst > bound {
				t.Errorf("%s n=%d: relative error %.2f·2⁻⁵³, bound %.0f·2⁻⁵³", name, n, worst, bound)
			}
			t.Logf("%s n=%d: worst relative error %.2f·2⁻⁵³ (bound %.0f)", name, n, worst, bound)
		}
	}
}

// TestSMACompensatedWhereSignsCancel checks SMA where windows hold +1e12 and −1e12 among values
// of ±1e-3, so that their mean is about 1e-4: there a plain sum would be off by about 1e-4
// (1e12·2⁻⁵³), the whole value; the compensated sums SMA switches to at the first negative
// input are within 1e-9 of the mean computed to 200 bits, relative. The series starts with
// non-negative rounds, so that each window is summed plainly first and the switch happens in
// the middle of a round.
func TestSMACompensatedWhereSignsCancel(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 14))
	for _, n := range []int{2, 3, 7, 30, 1024} {
		xs := make([]float64, 0, 10*n+200)
		for range 3*n + 5 {
			xs = append(xs, 1e-3*(1+r.Float64()))
		}
		xs = append(xs, 1e12)
		for range (n - 2) / 2 { // so that windows hold both
			xs = append(xs, 1e-3*(r.Float64()-0.5))
		}
		xs = append(xs, -1e12)
		for range 3*n + 50 {
			xs = append(xs, 1e-3*(r.Float64()-0.3))
		}
		got, exact := indicator.SMA(xs, n), exactMeans(xs, n)
		for i := n - 1; i < len(xs); i++ {
			want := exact[i]
			if d := math.Abs(got[i] - want); d > 1e-9*math.Abs(want) {
				t.Fatalf("n=%d i=%d: got %v, want %v (200 bits): off by %.3g", n, i, got[i], want, d)
			}
		}
	}
}

// TestSMAStreamMatchesBatchAcrossModes runs SMA over series that go from non-negative stretches
// (plain sums, and for the batch its loop over whole rounds) to stretches with negative inputs
// (compensated sums), with flat runs and gaps in between, and checks that the batch and a
// stream give the same values bit for bit, and that both are within 1e-9 of the naive
// reference.
func TestSMAStreamMatchesBatchAcrossModes(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		for _, n := range []int{1, 2, 3, 5, 14, 30, 64, 1024, 1025} {
			r := rand.New(rand.NewPCG(seed, uint64(n)))
			xs := mixedSignSeries(r, 12*n+400, n)
			name := fmt.Sprintf("seed=%d/n=%d", seed, n)
			batch := indicator.SMA(xs, n)
			s := must(indicator.NewSMA(n))
			streamed := make([]float64, len(xs))
			for i, x := range xs {
				streamed[i], _ = s.Update(x)
			}
			if !sameBits([][]float64{batch}, [][]float64{streamed}) {
				t.Fatalf("%s: batch and stream differ (-batch +stream):\n%s", name, cmp.Diff(batch, streamed, bitwise))
			}
			ref := segmented(len(xs), func(i int) bool { return isFinite(xs[i]) }, func(from, to int) [][]float64 {
				return [][]float64{refSMA(xs[from:to], n)}
			}, 1)
			if !near(ref, [][]float64{batch}, 1e-12) {
				t.Fatalf("%s: differs from the naive reference (-ref +got):\n%s", name, cmp.Diff(ref[0], batch, refTolerance(1e-12)))
			}
		}
	}
}

// mixedSignSeries returns length inputs in stretches: a price walk long enough for whole clean
// rounds of n, flat runs of about n, a stretch with negative values, a single negative value in
// the middle of a round, -0, and gaps.
func mixedSignSeries(r *rand.Rand, length, n int) []float64 {
	xs := make([]float64, 0, length)
	p := 100.0
	for len(xs) < length {
		switch r.IntN(6) {
		case 0, 1: // a walk
			for range 3*n + r.IntN(n+1) {
				p = max(p+float64(r.IntN(21)-10)/100, 0.01)
				xs = append(xs, p)
			}
		case 2: // a flat run, about as long as the window
			for range n - 1 + r.IntN(3) {
				xs = append(xs, p)
			}
		case 3: // around zero
			for range n + r.IntN(2*n+1) {
				xs = append(xs, r.Float64()-0.5)
			}
		case 4: // one negative input, or -0
			xs = append(xs, []float64{-p, math.Copysign(0, -1)}[r.IntN(2)])
		case 5: // a gap
			xs = append(xs, []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[r.IntN(3)])
		}
	}
	return xs[:length]
}

// BenchmarkBatchSMA times SMA(30) over a year of minute values of three kinds, one per path of
// the batch: closes (non-negative: whole rounds of plain sums), closes with a flat run of about
// a window every 200 bars (flat windows: those rounds take the per-input plain loop), and
// one-minute returns (signed: compensated sums throughout).
func BenchmarkBatchSMA(b *testing.B) {
	c := syntheticBars(minutesPerYear, 3).close
	flat := append([]float64(nil), c...)
	for i := 0; i+40 < len(flat); i += 200 {
		for k := 1; k <= 30; k++ {
			flat[i+k] = flat[i]
		}
	}
	returns := make([]float64, len(c))
	for i := 1; i < len(c); i++ {
		returns[i] = c[i]/c[i-1] - 1
	}
	for _, in := range []struct {
		name string
		xs   []float64
	}{{"closes", c}, {"flatRuns", flat}, {"returns", returns}} {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				out := indicator.SMA(in.xs, 30)
				sink += out[len(out)-1]
			}
			reportPerCandle(b, len(in.xs), cpu0)
		})
	}
}
