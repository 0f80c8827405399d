package bias

import (
	"math"
	"slices"
	"time"

	"github.com/tradecoach/coach"
)

// holdState keeps the holding periods of winning and losing closing sells: their sums for the
// account metric, and the winners' counts by holding period for the test of HOLDING_LOSERS.
type holdState struct {
	winners, losers int
	winSum, lossSum float64 // seconds
	// ranks are the distinct holding periods of every winning sale of the run, sorted (known
	// before scoring starts, from the ledger), and tree a Fenwick tree of how many winners so far
	// were held each of them: a count or the median in O(log n), where a sorted slice grown by
	// insertion cost O(n) a sale.
	ranks []float64
	tree  []int32
}

// init prepares the tree for the winners' holding periods holds (any order, repeats allowed).
func (h *holdState) init(holds []float64) {
	slices.Sort(holds)
	h.ranks = slices.Compact(holds)
	h.tree = make([]int32, len(h.ranks))
}

// add counts one closing sale held for hold seconds.
func (h *holdState) add(hold float64, loser bool) {
	if loser {
		h.losers++
		h.lossSum += hold
		return
	}
	h.winners++
	h.winSum += hold
	i, found := slices.BinarySearch(h.ranks, hold)
	if !found { // a holding period init was not given: make room for it, keeping the counts
		counts := make([]int32, len(h.ranks)+1)
		for k := range h.ranks {
			c := int32(h.prefix(k+1) - h.prefix(k))
			if k < i {
				counts[k] = c
			} else {
				counts[k+1] = c
			}
		}
		h.ranks = slices.Insert(h.ranks, i, hold)
		h.tree = make([]int32, len(h.ranks))
		for k, c := range counts {
			h.bump(k, c)
		}
	}
	h.bump(i, 1)
}

// bump adds c winners at rank i.
func (h *holdState) bump(i int, c int32) {
	for j := i + 1; j <= len(h.tree); j += j & -j {
		h.tree[j-1] += c
	}
}

// prefix returns how many winners so far have a rank below r.
func (h *holdState) prefix(r int) int {
	n := 0
	for j := r; j > 0; j -= j & -j {
		n += int(h.tree[j-1])
	}
	return n
}

// below returns how many winners so far were held less than x seconds.
func (h *holdState) below(x float64) int {
	r, _ := slices.BinarySearch(h.ranks, x)
	return h.prefix(r)
}

// kth returns the holding period of the winner of rank k (0 the shortest held) so far.
func (h *holdState) kth(k int) float64 {
	pos, rem := 0, int32(k+1)
	step := 1
	for step*2 <= len(h.tree) {
		step *= 2
	}
	for ; step > 0; step /= 2 {
		if next := pos + step; next <= len(h.tree) && h.tree[next-1] < rem {
			pos = next
			rem -= h.tree[next-1]
		}
	}
	return h.ranks[pos]
}

// medianWin returns the median holding period of the winners, seconds.
func (h *holdState) medianWin() float64 {
	n := h.winners
	if n == 0 {
		return math.NaN()
	}
	return (h.kth((n-1)/2) + h.kth(n/2)) / 2
}

// holdingLosers counts the closing sell order f and tags it HOLDING_LOSERS (DEFINITIONS.md) when
// it realized a loss, is not PANIC and not an exit at the plan's stop (ex), was held past the
// plan's stop (a candle since the position opened went at least HoldPastStop below the stop
// level; without a stop in the plan this is not required), and either its holding period passes
// a one-sided test against the trader's winners so far (at least HoldRatio times their median,
// and longer than all but a share HoldAlpha of them: the empirical p-value (1 + winners held at
// least as long)/(1 + winners) ≤ HoldAlpha, on at least MinEvents winners) or, with a stop in the
// plan, it got back to even: a loss of at most HoldBreakEven of its cost after riding past the
// stop, held at least HoldRatio times the winners' median (waiting for even, not a brief dip).
func (s *scorer) holdingLosers(f *fill, sl sale, ex exit, st *symState) {
	h, cfg := &s.hold, s.cfg
	switch {
	case !sl.known || sl.pnl == 0:
		return
	case sl.pnl > 0:
		h.add(sl.hold, false)
		return
	}
	h.add(sl.hold, true)
	if ex.at == exitStop || s.fired(coach.LabelPanic) {
		return
	}
	lossPct := math.NaN()
	if sl.cost > 0 {
		lossPct = sl.pnl / sl.cost
	}
	through, stop := math.NaN(), cfg.Plan.StopLossPct
	if stop > 0 {
		low, _, ok := s.extremesSince(st, f.ts)
		if !ok || !(st.held > 0) || !(st.paid > 0) {
			return
		}
		level := st.paid / st.held * (1 - stop/100)
		through = 1 - low/level
		if !(through >= cfg.HoldPastStop) {
			return
		}
	}
	med, p, medianRatio := math.NaN(), math.NaN(), math.NaN()
	if h.winners >= cfg.MinEvents {
		med = h.medianWin()
		p = float64(1+h.winners-h.below(sl.hold)) / float64(1+h.winners)
		medianRatio = sl.hold / med
	}
	longer := p <= cfg.HoldAlpha && med > 0 && sl.hold >= cfg.HoldRatio*med
	even := stop > 0 && -lossPct <= cfg.HoldBreakEven && med > 0 && sl.hold >= cfg.HoldRatio*med
	if !longer && !even {
		return
	}
	m := h.metric(cfg)
	// tradeRatio is over the mean winner, as meanWinnerHoldHours says; the test reads the median.
	tradeRatio := math.NaN()
	if m.Winners > 0 && m.MeanWinnerHold > 0 {
		tradeRatio = sl.hold / m.MeanWinnerHold.Seconds()
	}
	o := s.features(f)
	o.begin("ev")
	o.num("holdHours", sl.hold/3600)
	o.num("pnl", sl.pnl)
	o.num("lossPct", lossPct)
	o.int("winners", m.Winners)
	o.int("losers", m.Losers)
	o.num("medianWinnerHoldHours", med/3600)
	o.num("meanWinnerHoldHours", m.MeanWinnerHold.Hours())
	o.num("meanLoserHoldHours", m.MeanLoserHold.Hours())
	o.num("ratio", m.Ratio)
	o.num("tradeRatio", tradeRatio)
	o.num("medianRatio", medianRatio)
	o.num("p", p)
	o.num("pastStop", through)
	o.bool("heldLonger", longer)
	o.bool("backToEven", even)
	o.end()
	var conf float64
	if longer {
		conf = Confidence(cfg.ConfidenceSlope,
			margin(-p, -cfg.HoldAlpha, cfg.HoldAlpha),
			margin(medianRatio, cfg.HoldRatio, cfg.HoldRatio))
	} else {
		// How far past the stop is measured in the stop's own distance (HoldPastStop may be 0).
		conf = Confidence(cfg.ConfidenceSlope,
			margin(through, cfg.HoldPastStop, max(cfg.HoldPastStop, stop/100)),
			margin(lossPct, -cfg.HoldBreakEven, cfg.HoldBreakEven),
			margin(medianRatio, cfg.HoldRatio, cfg.HoldRatio))
	}
	s.tag(f, coach.LabelHoldingLosers, conf, s.done(&o, s.m.consts.holding))
}

// fired reports whether label was given to the current order.
func (s *scorer) fired(label string) bool {
	for _, g := range s.res.Tags[s.tagAt:] {
		if g.Label == label {
			return true
		}
	}
	return false
}

// metric returns the account-level statistic so far.
func (h *holdState) metric(cfg *Config) HoldingLosers {
	m := HoldingLosers{Winners: h.winners, Losers: h.losers, Ratio: math.NaN()}
	if h.winners > 0 {
		m.MeanWinnerHold = seconds(h.winSum / float64(h.winners))
	}
	if h.losers > 0 {
		m.MeanLoserHold = seconds(h.lossSum / float64(h.losers))
	}
	switch {
	case h.winners < cfg.MinEvents || h.losers < cfg.MinEvents:
		m.Insufficient = "insufficient data: " + itoa(h.winners) + " winning and " + itoa(h.losers) +
			" losing round trips, need at least " + itoa(cfg.MinEvents) + " of each"
	case !(h.winSum > 0):
		m.Insufficient = "undefined: the winning round trips were held for no time"
	default:
		m.Ratio = (h.lossSum / float64(h.losers)) / (h.winSum / float64(h.winners))
	}
	return m
}

// seconds converts seconds to a Duration, rounded to the nanosecond.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }
