package bias

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRepeatedHash checks repeatedHash against sorting, on uniform hashes (the buckets path from
// 1024 on) and skewed ones (every hash in one bucket), with and without one repeat, reusing its
// buffers from call to call.
func TestRepeatedHash(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	var tmp []uint64
	var counts []int32
	for _, n := range []int{0, 1, 2, 3, 1023, 1024, 1025, 5000, 70_000} {
		for _, skewed := range []bool{false, true} {
			for _, repeat := range []bool{false, true} {
				t.Run(fmt.Sprintf("n=%d/skewed=%v/repeat=%v", n, skewed, repeat), func(t *testing.T) {
					hashes := make([]uint64, n)
					for i := range hashes {
						hashes[i] = rng.Uint64()
						if skewed {
							hashes[i] >>= 40
						}
					}
					if repeat && n >= 2 {
						i, j := rng.IntN(n), rng.IntN(n-1)
						if j >= i {
							j++
						}
						hashes[j] = hashes[i]
					}
					sorted := slices.Clone(hashes)
					slices.Sort(sorted)
					want := len(slices.Compact(sorted)) < n
					before := slices.Clone(hashes)
					var got bool
					got, tmp, counts = repeatedHash(hashes, tmp, counts)
					if got != want {
						t.Errorf("repeatedHash = %v, want %v", got, want)
					}
					if !slices.Equal(hashes, before) {
						t.Errorf("repeatedHash reordered its input")
					}
				})
			}
		}
	}
}
