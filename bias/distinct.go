package bias

import (
	"math/bits"
	"slices"
)

// repeatedHash reports whether hashes holds some value twice. It partitions the hashes by their
// top bits into buckets of a dozen or so (uniform hashes spread evenly) and looks for a repeat
// within each, which is several times faster than sorting them all. It reorders nothing: the
// buckets are built in tmp, which it grows as needed and returns for reuse, with counts.
func repeatedHash(hashes, tmp []uint64, counts []int32) (bool, []uint64, []int32) {
	n := len(hashes)
	if n < 1024 {
		tmp = append(tmp[:0], hashes...)
		slices.Sort(tmp)
		for i := 1; i < n; i++ {
			if tmp[i] == tmp[i-1] {
				return true, tmp, counts
			}
		}
		return false, tmp, counts
	}
	k := bits.Len(uint(n / 16)) // 2^k buckets of 8 to 16 hashes on average
	shift := 64 - k
	counts = append(counts[:0], make([]int32, 1<<k+1)...)
	for _, h := range hashes {
		counts[h>>shift+1]++
	}
	for b := 1; b < len(counts); b++ {
		counts[b] += counts[b-1]
	}
	tmp = slices.Grow(tmp[:0], n)[:n]
	for _, h := range hashes { // counts[b] is where bucket b's next hash goes
		tmp[counts[h>>shift]] = h
		counts[h>>shift]++
	}
	start := int32(0) // counts[b] is now where bucket b ends
	for _, end := range counts[:1<<k] {
		if bucket := tmp[start:end]; len(bucket) > 1 {
			slices.Sort(bucket)
			for i := 1; i < len(bucket); i++ {
				if bucket[i] == bucket[i-1] {
					return true, tmp, counts
				}
			}
		}
		start = end
	}
	return false, tmp, counts
}
