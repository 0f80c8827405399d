package bias

import "math"

// signal is a condition on evidence that holds, fails, or is unknown because its evidence is
// undefined (NaN). A label fires only on signals that hold; when unknown signals could change the
// outcome, the label is skipped rather than decided on a guess.
type signal int8

const (
	fails signal = iota
	holds
	unknown
)

// atLeast tests x ≥ th.
func atLeast(x, th float64) signal {
	switch {
	case math.IsNaN(x):
		return unknown
	case x >= th:
		return holds
	}
	return fails
}

// atMost tests x ≤ th.
func atMost(x, th float64) signal {
	switch {
	case math.IsNaN(x):
		return unknown
	case x <= th:
		return holds
	}
	return fails
}

// either holds when a or b holds, fails when both fail, and is unknown otherwise.
func either(a, b signal) signal {
	switch {
	case a == holds || b == holds:
		return holds
	case a == unknown || b == unknown:
		return unknown
	}
	return fails
}

// count returns how many signals hold and how many are unknown.
func count(ss ...signal) (yes, maybe int) {
	for _, s := range ss {
		switch s {
		case holds:
			yes++
		case unknown:
			maybe++
		}
	}
	return yes, maybe
}

// names returns the names of the signals that hold.
func names(ss []signal, ns []string) []string {
	var out []string
	for i, s := range ss {
		if s == holds {
			out = append(out, ns[i])
		}
	}
	return out
}

// undefinedNames returns the names of the signals that are unknown, joined by ", ".
func undefinedNames(ss []signal, ns []string) string {
	out := ""
	for i, s := range ss {
		if s == unknown {
			if out != "" {
				out += ", "
			}
			out += ns[i]
		}
	}
	return out
}

// bandZ is the fill price's distance from the middle band in standard deviations of the band,
// K·(p − mid)/(upper − mid) above the middle and K·(p − mid)/(mid − lower) below it, so that
// bandZ ≥ K when p is at or above the upper band and bandZ ≤ −K when p is at or below the
// lower one. It is NaN when the bands are undefined or have collapsed (σ = 0) and p is off the
// middle, and 0 when p is on it.
func bandZ(p, upper, mid, lower, k float64) float64 {
	switch {
	case math.IsNaN(mid):
		return math.NaN()
	case p == mid:
		return 0
	case p > mid && upper > mid:
		return k * ((p - mid) / (upper - mid))
	case p < mid && lower < mid:
		return -k * ((mid - p) / (mid - lower))
	}
	return math.NaN()
}
