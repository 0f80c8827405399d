package bias

import "math"

// Proportion is k/n, the share of n events that were of a kind: NaN when it is undefined (n ≤ 0,
// or k outside [0, n]).
func Proportion(k, n int) float64 {
	if n <= 0 || k < 0 || k > n {
		return math.NaN()
	}
	return float64(k) / float64(n)
}

// ProportionDiff compares two proportions as Odean (1998) compares PGR with PLR, and as the
// account metrics compare every pair of proportions: p1 = k1/n1 and p2 = k2/n2 (Proportion),
// diff = p1 − p2, its unpooled standard error se = √(p1(1−p1)/n1 + p2(1−p2)/n2), and t = diff/se.
// The events are treated as independent draws. Each value is NaN when it is undefined: a
// proportion with no events (or k outside [0, n]), and whatever depends on it; t also when se = 0
// (both proportions 0 or 1). The arithmetic is the one Score uses, so the same counts give the
// same bits.
func ProportionDiff(k1, n1, k2, n2 int) (p1, p2, diff, se, t float64) {
	p1, p2 = Proportion(k1, n1), Proportion(k2, n2)
	diff = p1 - p2
	v1 := float64(p1*(1-p1)) / float64(n1)
	v2 := float64(p2*(1-p2)) / float64(n2)
	se = math.Sqrt(v1 + v2)
	t = math.NaN()
	if se > 0 {
		t = diff / se
	}
	return p1, p2, diff, se, t
}
