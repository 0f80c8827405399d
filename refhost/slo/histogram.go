package slo

import (
	"math"
	"slices"
)

// Bucket is one cumulative bucket of a histogram: Count observations were ≤ UpperBound.
type Bucket struct {
	UpperBound float64
	Count      float64
}

// Under returns the observations at or under bound: the count of the bucket whose upper bound is
// bound exactly, and false when no bucket has that bound (interpolating would guess).
func Under(buckets []Bucket, bound float64) (float64, bool) {
	for _, b := range buckets {
		if b.UpperBound == bound {
			return b.Count, true
		}
	}
	return 0, false
}

// Quantile estimates the q-quantile (0 ≤ q ≤ 1) of the observations of cumulative buckets the way
// Prometheus's histogram_quantile does: it finds the bucket holding rank q·total and interpolates
// linearly inside it (from 0 for the first bucket). A rank in the +Inf bucket gives the highest
// finite bound (the histogram cannot say more). NaN without observations or with q out of range.
func Quantile(q float64, buckets []Bucket) float64 {
	if q < 0 || q > 1 || len(buckets) == 0 {
		return math.NaN()
	}
	bs := slices.Clone(buckets)
	slices.SortFunc(bs, func(a, b Bucket) int {
		switch {
		case a.UpperBound < b.UpperBound:
			return -1
		case a.UpperBound > b.UpperBound:
			return 1
		}
		return 0
	})
	total := bs[len(bs)-1].Count
	if !math.IsInf(bs[len(bs)-1].UpperBound, 1) {
		// No +Inf bucket: the largest finite one is the total as far as is known.
		bs = append(bs, Bucket{UpperBound: math.Inf(1), Count: total})
	}
	if total == 0 {
		return math.NaN()
	}
	rank := q * total
	i, _ := slices.BinarySearchFunc(bs, rank, func(b Bucket, r float64) int {
		if b.Count < r {
			return -1
		}
		return 1
	})
	if i >= len(bs) {
		i = len(bs) - 1
	}
	if math.IsInf(bs[i].UpperBound, 1) {
		if i == 0 {
			return math.NaN()
		}
		return bs[i-1].UpperBound
	}
	lower, below := 0.0, 0.0
	if i > 0 {
		lower, below = bs[i-1].UpperBound, bs[i-1].Count
	}
	inBucket := bs[i].Count - below
	if inBucket <= 0 {
		return bs[i].UpperBound
	}
	return lower + (bs[i].UpperBound-lower)*(rank-below)/inBucket
}
