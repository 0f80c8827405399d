package coach

// DefaultReportingCurrency is the currency a user's figures are reported in when User.ReportingCurrency
// is empty.
const DefaultReportingCurrency = "USD"

// ValidCurrency reports whether code can be a reporting currency: an asset code of 2 to 10
// upper-case letters A–Z or digits ("USD", "EUR", "USDT", "BTC"). It says nothing about whether
// any market quotes it.
func ValidCurrency(code string) bool {
	if len(code) < 2 || len(code) > 10 {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
