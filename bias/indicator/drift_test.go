package indicator_test

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach/bias/indicator"
)

// TestNoDriftOnALongStream runs a year of minute closes of a BTC-like price (60,000 moving by
// cents, so that E[x²] is 1e13 times the variance of a window) and checks the last values of
// every window indicator against sums taken afresh. A textbook running E[x²]−E[x]² loses all
// its digits here; naive running sums drift with the length of the stream.
func TestNoDriftOnALongStream(t *testing.T) {
	const bars = 525_600
	r := rand.New(rand.NewPCG(2026, 1))
	xs := make([]float64, bars)
	p := 6_000_000.0 // cents
	for i := range xs {
		p += float64(r.IntN(7) - 3)
		if r.IntN(50_000) == 0 {
			p += 300_000 * (r.Float64() - 0.5) // a jump
		}
		xs[i] = p / 100
	}
	for _, n := range []int{20, 1440} {
		sma, z, vol := indicator.SMA(xs, n), indicator.ZScore(xs, n), indicator.Volatility(xs, n)
		u, m, l := indicator.Bollinger(xs, n, 2)
		tail := xs[bars-2*n:]
		refU, refM, refL := refBollinger(tail, n, 2)
		got := [][]float64{sma[bars-n:], u[bars-n:], m[bars-n:], l[bars-n:], z[bars-n:], vol[bars-n:]}
		want := [][]float64{refSMA(tail, n)[n:], refU[n:], refM[n:], refL[n:], refZScore(tail, n)[n:], refVolatility(tail, n)[n:]}
		if diff := cmp.Diff(want, got, refTolerance(1e-9)); diff != "" {
			t.Errorf("n=%d: SMA, Bollinger upper/middle/lower, z-score, volatility (-fresh sums +stream):\n%s", n, diff)
		}
	}
}

// TestNoResidueAfterVolumeSpike checks that a volume of 1e12 among volumes of 1e-3 leaves no
// trace in the baseline, nor in their SMA, once it has left the window. A plain running sum
// would keep an error of about 1e12·2⁻⁵³ ≈ 1e-4, a tenth of the baseline.
func TestNoResidueAfterVolumeSpike(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 2))
	vs := make([]float64, 20_000)
	for i := range vs {
		vs[i] = 1e-3 * (1 + r.Float64())
		if i%997 == 0 {
			vs[i] = 1e12 * (1 + r.Float64())
		}
	}
	for _, n := range []int{3, 20, 252} {
		got := [][]float64{indicator.AbnormalVolume(vs, n), indicator.SMA(vs, n)}
		want := [][]float64{refAbnormalVolume(vs, n), refSMA(vs, n)}
		if diff := cmp.Diff(want, got, refTolerance(1e-12)); diff != "" {
			t.Errorf("n=%d: abnormal volume, SMA (-fresh sums +stream):\n%s", n, diff)
		}
	}
}

// TestSpreadAfterPriceJump checks the variance after a jump leaves a tight window: the sums are
// then far from the mean next to the spread, and must be rebuilt (window.stale).
func TestSpreadAfterPriceJump(t *testing.T) {
	xs := []float64{}
	for i := range 40 {
		xs = append(xs, 100+float64(i%3)/100) // 100.00, 100.01, 100.02, …
	}
	xs = append(xs, 1e6) // a bad tick
	for i := range 40 {
		xs = append(xs, 50+float64(i%2)/1000) // a tight window far from the old mean
	}
	for _, n := range []int{2, 3, 7, 20} {
		got := [][]float64{indicator.ZScore(xs, n), indicator.Volatility(xs, n)}
		want := [][]float64{refZScore(xs, n), refVolatility(xs, n)}
		if diff := cmp.Diff(want, got, refTolerance(1e-9)); diff != "" {
			t.Errorf("n=%d: z-score, volatility (-fresh sums +stream):\n%s", n, diff)
		}
	}
}
