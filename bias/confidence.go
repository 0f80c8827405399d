package bias

import "math"

// margin is how far evidence x is past its threshold th, in units of scale, clamped to [-1, 1]:
// 0 at the threshold, 1 at one scale beyond it, negative when x falls short. It is
// non-decreasing in x. A NaN x (evidence that could not be computed) counts as -1, and a scale
// that is not > 0 gives 0.
func margin(x, th, scale float64) float64 {
	switch {
	case math.IsNaN(x):
		return -1
	case !(scale > 0):
		return 0
	}
	return min(1, max(-1, (x-th)/scale))
}

// Confidence maps the margins of a tag's evidence to a confidence in [0, 1]: the logistic
// function of slope times their mean, 1/(1+exp(−slope·mean(m))), rounded to 4 decimals. Each
// margin is how far one piece of evidence is past its threshold, in a unit of its own (usually
// the threshold itself, so +1 at twice the threshold), clamped to [−1, 1]; the mapping is
// monotonic: more evidence never lowers the confidence. Evidence exactly at its thresholds gives
// 0.5; with the default slope of 4, every margin at +1 gives 0.982. DEFINITIONS.md lists each
// label's margins and units. No margins give 0.5.
func Confidence(slope float64, margins ...float64) float64 {
	if len(margins) == 0 {
		return 0.5
	}
	var s float64
	for _, m := range margins {
		s += m
	}
	c := 1 / (1 + math.Exp(-slope*s/float64(len(margins))))
	return math.Round(c*1e4) / 1e4
}
