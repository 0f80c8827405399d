package rules

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"
)

// small returns d as c × 10^e with c in int64, false when the coefficient needs more than 18
// digits.
func small(d decimal.Decimal) (c int64, e int32, ok bool) {
	if d.NumDigits() > 18 {
		return 0, 0, false
	}
	return d.CoefficientInt64(), d.Exponent(), true
}

// appendDecimal appends d as d.String() writes it (fixed point, trailing zeros trimmed), without
// the allocations of String when the coefficient fits 18 digits.
func appendDecimal(b []byte, d decimal.Decimal) []byte {
	c, e, ok := small(d)
	if !ok || e > 18 || e < -60 || decimal.UseScientificNotation {
		return append(b, d.String()...)
	}
	return appendFixed(b, c, e)
}

// appendProduct appends x × y as decimal's String writes it.
func appendProduct(b []byte, x, y decimal.Decimal) []byte {
	cx, ex, okx := small(x)
	cy, ey, oky := small(y)
	if okx && oky && cx >= 0 && cy >= 0 && ex+ey <= 18 && ex+ey >= -60 && !decimal.UseScientificNotation {
		if hi, lo := bits.Mul64(uint64(cx), uint64(cy)); hi == 0 && lo <= math.MaxInt64 {
			return appendFixed(b, int64(lo), ex+ey)
		}
	}
	return append(b, x.Mul(y).String()...)
}

// appendFixed appends c × 10^e in fixed point with trailing zeros trimmed, as decimal does.
func appendFixed(b []byte, c int64, e int32) []byte {
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	if e >= 0 {
		b = strconv.AppendInt(b, c, 10)
		if c != 0 {
			for range e {
				b = append(b, '0')
			}
		}
		return b
	}
	var scratch [20]byte
	digits := strconv.AppendInt(scratch[:0], c, 10)
	frac := int(-e) // digits after the point
	var intPart []byte
	zeros := 0
	if len(digits) > frac {
		intPart, digits = digits[:len(digits)-frac], digits[len(digits)-frac:]
	} else {
		intPart, zeros = []byte{'0'}, frac-len(digits)
	}
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	b = append(b, intPart...)
	if len(digits) == 0 {
		return b
	}
	b = append(b, '.')
	for range zeros {
		b = append(b, '0')
	}
	return append(b, digits...)
}

// tie is the margin within which a comparison of floats converted from decimals is not
// trusted and the exact decimals decide: far wider than the error of a few float operations on
// amounts, far narrower than any difference a trader would mean.
const tie = 1e-9

// clearlyAbove tells whether x > y (ok) by the floats when they are not within tie of each other
// (relative to y).
func clearlyAbove(x, y float64) (above, ok bool) {
	if math.Abs(x-y) <= tie*max(1, math.Abs(y)) || !finite(x) || !finite(y) {
		return false, false
	}
	return x > y, true
}
