package rules

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestAppendDecimal checks appendDecimal against decimal's own String.
func TestAppendDecimal(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []decimal.Decimal{
		decimal.Zero, decimal.New(0, -5), decimal.New(0, 3), decimal.New(-1, -30), decimal.New(123, 5),
		decimal.New(-1000, -3), decimal.New(1, -1), decimal.New(999999999999999999, -9),
		decimal.RequireFromString("12345678901234567890.123"), decimal.New(-5, 0),
	}
	for range 20000 {
		c := rng.Int64N(1_000_000_000_000) - 500_000_000_000
		if rng.IntN(3) == 0 {
			c = rng.Int64() >> rng.IntN(63)
		}
		cases = append(cases, decimal.New(c, int32(rng.IntN(50)-35)))
	}
	for _, d := range cases {
		if got, want := string(appendDecimal([]byte("x"), d)), "x"+d.String(); got != want {
			t.Fatalf("appendDecimal(%v, %d) = %s, want %s", d.CoefficientInt64(), d.Exponent(), got, want)
		}
	}
}

// TestAppendProduct checks appendProduct against decimal's Mul and String.
func TestAppendProduct(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		x := decimal.New(rng.Int64N(1_000_000_000), int32(rng.IntN(20)-14))
		y := decimal.New(rng.Int64()>>rng.IntN(63), int32(rng.IntN(20)-10))
		if got, want := string(appendProduct(nil, x, y)), x.Mul(y).String(); got != want {
			t.Fatalf("appendProduct(%s, %s) = %s, want %s", x, y, got, want)
		}
	}
}
