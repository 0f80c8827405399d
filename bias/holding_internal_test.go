package bias

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestHoldStateCountsLikeASortedSlice: the Fenwick tree gives the counts below a value and the
// median a sorted slice gives, winners added in any order, with repeats, and with holding
// periods init was not told of.
func TestHoldStateCountsLikeASortedSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var all []float64
	for range 300 {
		all = append(all, float64(r.IntN(200))) // repeats on purpose
	}
	var h holdState
	h.init(slices.Clone(all[:250])) // the last 50 are new to it
	var sorted []float64
	for _, x := range all {
		h.add(x, false)
		i, _ := slices.BinarySearch(sorted, x)
		sorted = slices.Insert(sorted, i, x)
		n := len(sorted)
		if want := (sorted[(n-1)/2] + sorted[n/2]) / 2; h.medianWin() != want {
			t.Fatalf("after %d winners: median %v, want %v", n, h.medianWin(), want)
		}
		for _, q := range []float64{-1, 0, 50.5, x, 199, 1000} {
			want, _ := slices.BinarySearch(sorted, q)
			if got := h.below(q); got != want {
				t.Fatalf("after %d winners: %d below %v, want %d", n, got, q, want)
			}
		}
	}
}
