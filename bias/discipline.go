package bias

// disciplineConfidence is 1 − 1/(2 + n) for n rules followed: 0.667 for one rule, 0.75 for two,
// rising toward 1 as more of the trader's rules vouch for the order.
func disciplineConfidence(n int) float64 {
	c := 1 - 1/(2+float64(n))
	return float64(int(c*1e4+0.5)) / 1e4
}
