package sim

// Block sizes of extremes: blocks of 64 bars, superblocks of 64 blocks.
const (
	blockBits = 6
	blockLen  = 1 << blockBits
	superBits = 2 * blockBits
	superLen  = 1 << superBits
)

// extremes finds the first bar of a range whose low or high crosses a price. It keeps the lowest
// low and the highest high of aligned blocks of 64 bars and superblocks of 64 blocks, each
// computed the first time a search needs it, so a search skips whole blocks that cannot hold a
// crossing and no bar is read more than a few times however many lots are searched. A search
// costs at most 2·64 bars, 2·64 blocks and one step per superblock.
type extremes struct {
	bars              *series
	blockLow, blockHi []float64
	blockDone         []bool
	superLow, superHi []float64
	superDone         []bool
}

// extremes returns the search structure of s, made on first use.
func (s *series) extremes() *extremes {
	if s.tree == nil {
		nb := (len(s.bars) + blockLen - 1) >> blockBits
		ns := (len(s.bars) + superLen - 1) >> superBits
		s.tree = &extremes{
			bars:     s,
			blockLow: make([]float64, nb), blockHi: make([]float64, nb), blockDone: make([]bool, nb),
			superLow: make([]float64, ns), superHi: make([]float64, ns), superDone: make([]bool, ns),
		}
	}
	return s.tree
}

// block returns the lowest low and the highest high of block b.
func (t *extremes) block(b int) (float64, float64) {
	if !t.blockDone[b] {
		bars := t.bars.bars[b<<blockBits : min((b+1)<<blockBits, len(t.bars.bars))]
		lo, hi := bars[0].Low, bars[0].High
		for i := 1; i < len(bars); i++ {
			lo, hi = min(lo, bars[i].Low), max(hi, bars[i].High)
		}
		t.blockLow[b], t.blockHi[b], t.blockDone[b] = lo, hi, true
	}
	return t.blockLow[b], t.blockHi[b]
}

// super returns the lowest low and the highest high of superblock u.
func (t *extremes) super(u int) (float64, float64) {
	if !t.superDone[u] {
		first, last := u<<blockBits, min((u+1)<<blockBits, len(t.blockLow))
		lo, hi := t.block(first)
		for b := first + 1; b < last; b++ {
			l, h := t.block(b)
			lo, hi = min(lo, l), max(hi, h)
		}
		t.superLow[u], t.superHi[u], t.superDone[u] = lo, hi, true
	}
	return t.superLow[u], t.superHi[u]
}

// first returns the first bar in [lo, hi) whose low is ≤ below or whose high is ≥ above, or hi.
// Pass -Inf or +Inf to leave a side out.
func (t *extremes) first(lo, hi int, below, above float64) int {
	bars := t.bars.bars
	for i := lo; i < hi; {
		if i&(superLen-1) == 0 && i+superLen <= hi {
			if l, h := t.super(i >> superBits); l > below && h < above {
				i += superLen
				continue
			}
		}
		if i&(blockLen-1) == 0 && i+blockLen <= hi {
			if l, h := t.block(i >> blockBits); l > below && h < above {
				i += blockLen
				continue
			}
		}
		if bars[i].Low <= below || bars[i].High >= above {
			return i
		}
		i++
	}
	return hi
}
