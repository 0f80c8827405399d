package ledger

import "github.com/shopspring/decimal"

// clip shortens untrusted input quoted in an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// validAmount is the range coach.Trade.Validate accepts for an amount: at most 38 significant
// digits, an exponent within ±30, and at most 38 digits before the decimal point once written out,
// so that no hostile "1e999999999" is ever expanded to text.
func validAmount(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -30 && e <= 30 && d.NumDigits()+int(max(e, 0)) <= 38
}

// amountText renders an amount for an error message without expanding a hostile exponent.
func amountText(d decimal.Decimal) string {
	if !validAmount(d) {
		return "an out-of-range number"
	}
	return d.String()
}
