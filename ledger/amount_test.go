package ledger

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// edgeCoefficients are coefficients at the edges of the int64 fast path.
var edgeCoefficients = []int64{
	0, 1, -1, 9, 10, 12345678, -12345678, 999_999_999_999_999_999, 1_000_000_000_000_000_000,
	math.MaxInt64, math.MinInt64, math.MaxInt64 / 10, math.MinInt64 / 10, math.MaxInt32, 3_037_000_499, 3_037_000_500,
}

// randomDecimal returns a decimal with an edge or random coefficient (sometimes beyond an int64)
// and an exponent within what the ledger accepts.
func randomDecimal(rng *rand.Rand) decimal.Decimal {
	e := int32(rng.IntN(41) - 20)
	switch rng.IntN(4) {
	case 0:
		return decimal.New(edgeCoefficients[rng.IntN(len(edgeCoefficients))], e)
	case 1:
		return decimal.New(rng.Int64(), e).Mul(decimal.New(rng.Int64N(1000), 0)) // often beyond int64
	case 2:
		return decimal.New(rng.Int64N(2_000_000)-1_000_000, e)
	}
	return decimal.New(rng.Int64()>>rng.IntN(63), e)
}

// checkAmountOps checks every operation of amount on x and y against decimal.Decimal.
func checkAmountOps(t *testing.T, x, y decimal.Decimal) {
	t.Helper()
	a, b := amountOf(x), amountOf(y)
	if got := a.dec(); !got.Equal(x) {
		t.Fatalf("amountOf(%s).dec() = %s", x, got)
	}
	if a.big == nil && a.m != 0 && a.m%10 == 0 {
		t.Errorf("amountOf(%s) is not normalized: %d e%d", x, a.m, a.e)
	}
	for _, c := range []struct {
		op        string
		got, want decimal.Decimal
	}{
		{"+", a.add(b).dec(), x.Add(y)},
		{"-", a.sub(b).dec(), x.Sub(y)},
		{"×", a.mul(b).dec(), x.Mul(y)},
		{"neg", a.neg().dec(), x.Neg()},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s %s %s = %s, want %s", x, c.op, y, c.got, c.want)
		}
	}
	for _, c := range []struct {
		a    amount
		want decimal.Decimal
	}{{a, x}, {a.add(b), x.Add(y)}, {a.mul(b), x.Mul(y)}} {
		if got, want := c.a.nearest(), c.want.InexactFloat64(); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("nearest(%s) = %g, want %g", c.want, got, want)
		}
	}
	if got, want := a.cmp(b), x.Cmp(y); got != want {
		t.Errorf("cmp(%s, %s) = %d, want %d", x, y, got, want)
	}
	if got, want := a.sign(), x.Sign(); got != want {
		t.Errorf("sign(%s) = %d, want %d", x, got, want)
	}
	if got, want := minAmount(a, b).dec(), decimal.Min(x, y); !got.Equal(want) {
		t.Errorf("min(%s, %s) = %s, want %s", x, y, got, want)
	}
	// mulDiv: non-negative a and b, positive c.
	ax, by, cz := x.Abs(), y.Abs(), x.Abs().Add(y.Abs())
	if cz.IsZero() {
		return
	}
	got := mulDiv(amountOf(ax), amountOf(by), amountOf(cz)).dec()
	if want := ax.Mul(by).DivRound(cz, proRataPlaces); !got.Equal(want) {
		t.Errorf("mulDiv(%s, %s, %s) = %s, want %s", ax, by, cz, got, want)
	}
	got = mulDiv(amountOf(ax), amountOf(by), amountOf(by.Add(decimal.New(1, -3)))).dec()
	if want := ax.Mul(by).DivRound(by.Add(decimal.New(1, -3)), proRataPlaces); !got.Equal(want) {
		t.Errorf("mulDiv(%s, %s, %s+0.001) = %s, want %s", ax, by, by, got, want)
	}
}

func TestAmountMatchesDecimal(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 5))
	for range 20_000 {
		checkAmountOps(t, randomDecimal(rng), randomDecimal(rng))
		if t.Failed() {
			return
		}
	}
}

// TestCheckedAmount checks that checkedAmount accepts exactly what validAmount accepts, and then
// converts as amountOf does.
func TestCheckedAmount(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 4))
	for i := range 20_000 {
		x := randomDecimal(rng)
		switch i % 4 {
		case 1:
			x = decimal.New(rng.Int64(), int32(rng.IntN(81)-40)) // exponents beyond the bounds
		case 2:
			x = x.Mul(x).Mul(x) // beyond 38 digits, often
		}
		a, ok := checkedAmount(x)
		if ok != validAmount(x) {
			t.Fatalf("checkedAmount(%s): ok %v, validAmount %v", x, ok, validAmount(x))
		}
		if ok && !cmp.Equal(a, amountOf(x), cmp.AllowUnexported(amount{})) {
			t.Fatalf("checkedAmount(%s) = %+v, amountOf %+v", x, a, amountOf(x))
		}
	}
}

func TestAmountTable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ x, y string }{
		{"0.3", "0.1"}, {"65432.10000000", "0.00123000"}, {"1e-30", "1e30"}, {"-5", "5"},
		{"9223372036854775807", "1"}, {"-9223372036854775808", "-1"}, {"0.5", "0.5"},
		{"0.000000000000333333", "1"}, {"123456789012345678901234567890", "0.001"},
		{"9007199254740993", "0.1"}, {"9007199254740992e-22", "1e22"}, {"-9007199254740993e-23", "3e-1"},
	} {
		checkAmountOps(t, decimal.RequireFromString(c.x), decimal.RequireFromString(c.y))
	}
	// Half away from zero, at 12 places.
	for _, c := range []struct{ a, b, c, want string }{
		{"1", "1", "3", "0.333333333333"},
		{"2", "1", "3", "0.666666666667"},
		{"1", "5", "1e13", "0.000000000001"},
		{"1", "4", "1e13", "0"},
		{"0.2", "0.5", "2", "0.05"},
	} {
		got := mulDiv(amountOf(decimal.RequireFromString(c.a)), amountOf(decimal.RequireFromString(c.b)), amountOf(decimal.RequireFromString(c.c))).dec()
		if !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("mulDiv(%s, %s, %s) = %s, want %s", c.a, c.b, c.c, got, c.want)
		}
	}
}

// TestMulDivAtTheTopOfTheFastPath feeds mulDiv coefficients of 19 digits, which only sums and
// products of the ledger hold in the int64 form (amountOf moves them to decimal), so that the
// quotient before rounding is the largest uint64: rounding it up must not wrap it to 0.
func TestMulDivAtTheTopOfTheFastPath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ a, b, c amount }{
		{amount{m: 31}, amount{m: 1_190_112_520_884_487_201}, amount{m: 2, e: 12}},            // (2^65−1)/2
		{amount{m: 31}, amount{m: 1_190_112_520_884_487_201}, amount{m: 4, e: 12}},            // (2^65−1)/4
		{amount{m: 3}, amount{m: 3_074_457_345_618_258_602}, amount{m: 1, e: 12}},             // > MaxInt64
		{amount{m: math.MaxInt64}, amount{m: math.MaxInt64}, amount{m: math.MaxInt64, e: 12}}, // = MaxInt64
	} {
		got := mulDiv(c.a, c.b, c.c).dec()
		want := c.a.dec().Mul(c.b.dec()).DivRound(c.c.dec(), proRataPlaces)
		if !got.Equal(want) {
			t.Errorf("mulDiv(%s, %s, %s) = %s, want %s", c.a.dec(), c.b.dec(), c.c.dec(), got, want)
		}
	}
}

func FuzzAmount(f *testing.F) {
	f.Add(int64(12345678), int32(-8), int64(654321), int32(-1))
	f.Add(int64(math.MaxInt64), int32(0), int64(1), int32(0))
	f.Add(int64(math.MinInt64), int32(-3), int64(-1), int32(5))
	f.Add(int64(3_037_000_500), int32(-10), int64(3_037_000_500), int32(10))
	f.Fuzz(func(t *testing.T, m1 int64, e1 int32, m2 int64, e2 int32) {
		e1, e2 = e1%31, e2%31 // the exponents the ledger accepts
		checkAmountOps(t, decimal.New(m1, e1), decimal.New(m2, e2))
	})
}
