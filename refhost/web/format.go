package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// money writes an amount with grouping commas and 2 decimals (more for a small amount), a sign
// on a loss.
func money(d decimal.Decimal) string {
	places := int32(2)
	if a := d.Abs(); !a.IsZero() && a.LessThan(decimal.NewFromInt(1)) {
		places = 4
	}
	s := d.StringFixed(places)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		return "−" + out
	}
	return out
}

// signed writes an amount with its sign always shown.
func signed(d decimal.Decimal) string {
	if d.IsPositive() {
		return "+" + money(d)
	}
	return money(d)
}

// plain writes a quantity or price as given, without trailing zeros.
func plainNum(d decimal.Decimal) string { return d.String() }

// when writes an instant in loc as a trader reads it ("Mar 2, 14:05").
func when(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Jan 2, 15:04")
}

// tone is the CSS class of a signed amount (the sign is always written too).
func tone(d decimal.Decimal) string {
	switch d.Sign() {
	case 1:
		return "pos"
	case -1:
		return "neg"
	}
	return ""
}

func itoa(i int) string { return strconv.Itoa(i) }
