package ledger

import (
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
)

// amount is the ledger's exact decimal, m×10^e. While the coefficient fits in an int64 (every
// ordinary trade) its arithmetic is a few machine instructions and allocates nothing; a value
// beyond that is held in a decimal.Decimal (big) and computed there, with the same results. The
// ledger converts to decimal.Decimal only for what it reports.
type amount struct {
	m   int64
	e   int32
	big *decimal.Decimal // when non-nil the value is *big; m and e are unused
}

// proRataPlaces is the number of decimal places a pro-rated figure (a part of a lot's entry fee,
// a part of a fill's exit fee, a part of an average-cost pool) is rounded to, half away from
// zero. The last part of anything takes the remainder, so parts always add up to the whole.
const proRataPlaces = 12

// pow10 holds 10^0 … 10^19.
var pow10 = [20]uint64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// amountOf converts d, normalized (trailing zeros of the coefficient removed).
func amountOf(d decimal.Decimal) amount {
	if d.NumDigits() <= 18 {
		return small(d.CoefficientInt64(), d.Exponent())
	}
	big := d // only a big value is moved to the heap
	return amount{big: &big}
}

// checkedAmount converts d when validAmount(d) holds, reading its digits once; ok is false when
// it does not.
func checkedAmount(d decimal.Decimal) (a amount, ok bool) {
	e := d.Exponent()
	if e < -30 || e > 30 {
		return amount{}, false
	}
	n := d.NumDigits()
	if n+int(max(e, 0)) > 38 {
		return amount{}, false
	}
	if n <= 18 {
		return small(d.CoefficientInt64(), e), true
	}
	big := d // only a big value is moved to the heap
	return amount{big: &big}, true
}

// small returns m×10^e with trailing zeros of m moved into the exponent, so that exponents stay
// as large as the value allows and products and sums stay within an int64 as long as possible.
func small(m int64, e int32) amount {
	if m == 0 {
		return amount{}
	}
	for m%10000 == 0 && e <= math.MaxInt32-4 {
		m /= 10000
		e += 4
	}
	for m%10 == 0 && e < math.MaxInt32 {
		m /= 10
		e++
	}
	return amount{m: m, e: e}
}

// dec returns a as a decimal.Decimal (allocating, except for zero).
func (a amount) dec() decimal.Decimal {
	if a.big != nil {
		return *a.big
	}
	if a.m == 0 {
		return decimal.Decimal{}
	}
	return decimal.New(a.m, a.e)
}

// sign returns -1, 0 or +1.
func (a amount) sign() int {
	if a.big != nil {
		return a.big.Sign()
	}
	switch {
	case a.m < 0:
		return -1
	case a.m > 0:
		return 1
	}
	return 0
}

func (a amount) isZero() bool { return a.sign() == 0 }

// float returns a as a float64 (for weights, never for money).
func (a amount) float() float64 {
	if a.big != nil {
		return a.big.InexactFloat64()
	}
	if a.e >= 0 {
		return float64(a.m) * math.Pow10(int(a.e))
	}
	return float64(a.m) / math.Pow10(int(-a.e))
}

// float64Pow10 holds 10^0 … 10^22, the powers of ten a float64 holds exactly.
var float64Pow10 = [23]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
}

// nearest returns the float64 nearest a, ties to even: what decimal.Decimal.InexactFloat64
// returns for a.dec(), without allocating for an ordinary amount. With a coefficient and a power
// of ten both exact in a float64, one IEEE division or multiplication is correctly rounded.
func (a amount) nearest() float64 {
	if a.big == nil {
		if a.m == 0 {
			return 0
		}
		if a.m >= -1<<53 && a.m <= 1<<53 {
			switch {
			case a.e <= 0 && a.e >= -22:
				return float64(a.m) / float64Pow10[-a.e]
			case a.e > 0 && a.e <= 22:
				return float64(a.m) * float64Pow10[a.e]
			}
		}
	}
	return a.dec().InexactFloat64()
}

// scaled returns m×10^k when it fits in an int64.
func scaled(m int64, k int32) (int64, bool) {
	if k < 0 || k > 18 {
		return 0, m == 0
	}
	p := int64(pow10[k])
	if m > math.MaxInt64/p || m < -math.MaxInt64/p {
		return 0, false
	}
	return m * p, true
}

// align returns the coefficients of a and b at their common (smaller) exponent.
func align(a, b amount) (am, bm int64, e int32, ok bool) {
	switch {
	case a.e == b.e:
		return a.m, b.m, a.e, true
	case a.e > b.e:
		am, ok = scaled(a.m, a.e-b.e)
		return am, b.m, b.e, ok
	default:
		bm, ok = scaled(b.m, b.e-a.e)
		return a.m, bm, a.e, ok
	}
}

// add returns a+b.
func (a amount) add(b amount) amount {
	if a.big == nil && b.big == nil {
		if b.m == 0 {
			return a
		}
		if a.m == 0 {
			return b
		}
		if am, bm, e, ok := align(a, b); ok {
			s := am + bm
			if (am >= 0) != (bm >= 0) || (s >= 0) == (am >= 0) {
				return amount{m: s, e: e}
			}
		}
	}
	return amountOf(a.dec().Add(b.dec()))
}

// neg returns -a.
func (a amount) neg() amount {
	if a.big == nil && a.m != math.MinInt64 {
		return amount{m: -a.m, e: a.e}
	}
	return amountOf(a.dec().Neg())
}

// sub returns a-b.
func (a amount) sub(b amount) amount { return a.add(b.neg()) }

// mul returns a×b, exactly.
func (a amount) mul(b amount) amount {
	if a.big == nil && b.big == nil {
		if a.m == 0 || b.m == 0 {
			return amount{}
		}
		e := int64(a.e) + int64(b.e)
		hi, lo := bits.Mul64(absU(a.m), absU(b.m))
		if hi == 0 && lo <= math.MaxInt64 && e >= math.MinInt32 && e <= math.MaxInt32 {
			m := int64(lo)
			if (a.m < 0) != (b.m < 0) {
				m = -m
			}
			return amount{m: m, e: int32(e)}
		}
	}
	return amountOf(a.dec().Mul(b.dec()))
}

// cmp returns -1, 0 or +1 as a is less than, equal to or greater than b.
func (a amount) cmp(b amount) int {
	if a.big == nil && b.big == nil {
		if am, bm, _, ok := align(a, b); ok {
			switch {
			case am < bm:
				return -1
			case am > bm:
				return 1
			}
			return 0
		}
	}
	return a.dec().Cmp(b.dec())
}

// mulDiv returns a×b/c rounded to proRataPlaces decimal places, half away from zero. a and b
// must not be negative and c must be positive.
func mulDiv(a, b, c amount) amount {
	if a.big == nil && b.big == nil && c.big == nil && a.m >= 0 && b.m >= 0 && c.m > 0 {
		if a.m == 0 || b.m == 0 {
			return amount{}
		}
		if q, ok := mulDivSmall(uint64(a.m), uint64(b.m), uint64(c.m), int64(a.e)+int64(b.e)-int64(c.e)+proRataPlaces); ok {
			return small(q, -proRataPlaces)
		}
	}
	return amountOf(a.dec().Mul(b.dec()).DivRound(c.dec(), proRataPlaces))
}

// mulDivSmall returns round(a×b×10^s / c) when every step fits in 128 bits and the result in an
// int64.
func mulDivSmall(a, b, c uint64, s int64) (int64, bool) {
	hi, lo := bits.Mul64(a, b)
	switch {
	case s > 19 || s < -19:
		return 0, false
	case s > 0:
		// (hi, lo) × 10^s, which must stay within 128 bits.
		h1, l1 := bits.Mul64(lo, pow10[s])
		h2, l2 := bits.Mul64(hi, pow10[s])
		var carry uint64
		hi, carry = bits.Add64(h1, l2, 0)
		if h2 != 0 || carry != 0 {
			return 0, false
		}
		lo = l1
	case s < 0:
		h, l := bits.Mul64(c, pow10[-s])
		if h != 0 {
			return 0, false
		}
		c = l
	}
	if hi >= c {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, c)
	if q >= math.MaxInt64 {
		return 0, false // rounding up could overflow the int64, or wrap the uint64 to 0
	}
	if r >= c-r {
		q++
	}
	return int64(q), true
}

// minAmount returns the smaller of a and b.
func minAmount(a, b amount) amount {
	if a.cmp(b) <= 0 {
		return a
	}
	return b
}

func absU(m int64) uint64 {
	if m < 0 {
		return uint64(-(m + 1)) + 1
	}
	return uint64(m)
}
