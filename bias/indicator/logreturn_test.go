package indicator_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/tradecoach/coach/bias/indicator"
)

// TestLogReturnWithinTwoUlps checks LogReturn against ln(x/p) computed to 200 bits, on moves
// on both sides of the ±3% where its series gives way to math.Log1p, and on moves of one ulp:
// the package promises 2 ulp (a log1p of the rounded quotient gives about 1.5).
func TestLogReturnWithinTwoUlps(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2026, 3))
	for i := range 20_000 {
		p := math.Exp(r.Float64()*60 - 30)
		var x float64
		switch i % 3 {
		case 0: // within ±10%: both paths
			x = p * (1 + (r.Float64()-0.5)*0.2)
		case 1: // around the edge of the series, |s| = 2⁻⁶
			x = p * (1 + 0x1p-5*(1+(r.Float64()-0.5)*0.01)*float64(1-2*r.IntN(2)))
		default: // a few ulps
			x = p
			for range 1 + r.IntN(4) {
				x = math.Nextafter(x, math.Inf(1-2*r.IntN(2)))
			}
		}
		got := indicator.LogReturn([]float64{p, x}, 1)[1]
		want := lnRatio(x, p)
		if want == 0 {
			if got != 0 {
				t.Fatalf("LogReturn(%v → %v) = %v, want 0", p, x, got)
			}
			continue
		}
		if ulps := math.Abs(got-want) / ulp(want); ulps > 2 {
			t.Fatalf("LogReturn(%v → %v) = %v, want %v: %.2f ulp off", p, x, got, want, ulps)
		}
	}
}

// lnRatio returns ln(x/p) for |x/p − 1| < 0.25 to 200 bits, rounded: 2·atanh(s) with
// s = (x−p)/(x+p), summed as s + s³/3 + s⁵/5 + … until the terms vanish.
func lnRatio(x, p float64) float64 {
	const prec = 200
	bx, bp := new(big.Float).SetPrec(prec).SetFloat64(x), new(big.Float).SetPrec(prec).SetFloat64(p)
	s := new(big.Float).SetPrec(prec).Sub(bx, bp)
	s.Quo(s, new(big.Float).SetPrec(prec).Add(bx, bp))
	s2 := new(big.Float).SetPrec(prec).Mul(s, s)
	sum := new(big.Float).SetPrec(prec).Set(s)
	pow := new(big.Float).SetPrec(prec).Set(s)
	for k := int64(3); k < 1000; k += 2 {
		pow.Mul(pow, s2)
		term := new(big.Float).SetPrec(prec).Quo(pow, new(big.Float).SetInt64(k))
		if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < -prec {
			break
		}
		sum.Add(sum, term)
	}
	f, _ := sum.Mul(sum, big.NewFloat(2)).Float64()
	return f
}

// ulp returns the spacing of float64 values at |v|.
func ulp(v float64) float64 {
	v = math.Abs(v)
	return math.Nextafter(v, math.Inf(1)) - v
}
