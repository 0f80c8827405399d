package bias

import (
	"slices"
	"testing"
)

// The slice-indexed clusterSet sums exactly as a map by position does, in first-appearance order,
// for positions inside the range, before its base, far past it and repeated.
func TestClusterSetSumsByPositionInFirstAppearanceOrder(t *testing.T) {
	r := uint64(7)
	next := func(n int) int {
		r ^= r << 13
		r ^= r >> 7
		r ^= r << 17
		return int(r % uint64(n))
	}
	for _, base := range []int32{1, 500, 100_000} {
		var c clusterSet
		at := map[int32]int{}
		var want []ClusterCounts
		for k := 0; k < 5000; k++ {
			var pos int32
			switch next(4) {
			case 0:
				pos = base - int32(next(400)) // before the first one added
			case 1:
				pos = base + int32(next(50_000)) // often far past the range
			default:
				pos = base + int32(next(300))
			}
			if k == 0 {
				pos = base
			}
			k1, n1, k2, n2 := next(2), 1, next(2), next(3)
			c.add(pos, k1, n1, k2, n2)
			i, ok := at[pos]
			if !ok {
				i = len(want)
				at[pos] = i
				want = append(want, ClusterCounts{})
			}
			x := &want[i]
			x.K1, x.N1, x.K2, x.N2 = x.K1+k1, x.N1+n1, x.K2+k2, x.N2+n2
		}
		if !slices.Equal(c.cs, want) {
			t.Fatalf("base %d: clusterSet sums differ from a map's (%d vs %d clusters)", base, len(c.cs), len(want))
		}
		if len(c.dense) > 2*len(want)+maxDenseGap {
			t.Errorf("base %d: dense range %d for %d clusters", base, len(c.dense), len(want))
		}
	}
}
