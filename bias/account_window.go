package bias

import "time"

// AccountWindow is the disposition effect and loss chasing of one fixed window: a calendar month
// in Config.TimeZone. A decision moment belongs to the month of its first sale, an entry after a
// realized outcome to the month of the entry. Each metric is computed once over its window, with
// its standard error clustered by position (Disposition.Clustered, LossChasing.Clustered), so
// that a test is never re-run after every trade. The digest, simulations and reflections read
// these windows; DEFINITIONS.md says how.
type AccountWindow struct {
	// From is the start of the month and To the start of the next, as instants (UTC).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Disposition and LossChasing are the statistics over the window alone; a window with no
	// decision moment, or no entry after an outcome, has that metric undefined with a reason.
	Disposition Disposition `json:"disposition"`
	LossChasing LossChasing `json:"lossChasing"`
}

// Shows reports whether the disposition effect is one the coach speaks of under cfg: defined,
// DE ≥ MinEffect, at least MinEvents positions, and its clustered t ≥ MinT.
func (d Disposition) Shows(cfg Config) bool {
	return d.Insufficient == "" && d.DE >= cfg.MinEffect && d.Clustered.Clusters >= cfg.MinEvents &&
		d.Clustered.T >= cfg.MinT
}

// Shows reports whether loss chasing is one the coach speaks of under cfg: defined,
// Diff ≥ MinEffect, at least MinEvents positions, and its clustered t ≥ MinT.
func (l LossChasing) Shows(cfg Config) bool {
	return l.Insufficient == "" && l.Diff >= cfg.MinEffect && l.Clustered.Clusters >= cfg.MinEvents &&
		l.Clustered.T >= cfg.MinT
}

// clusterSet sums ClusterCounts by position, in the order the positions first appear (trade
// order), so that the clustered sums are bit-identical whatever order the trades came in.
//
// Positions are numbered in the order they open, so those of one window mostly lie in a short
// range from the first one added (base): they are indexed by a slice over that range, and only a
// position outside it goes through the map.
type clusterSet struct {
	base  int32
	dense []int32 // 1 + the index in cs of position base+i; 0 for none yet
	at    map[int32]int
	cs    []ClusterCounts
}

// maxDenseGap bounds the dense range: it extends to a position only while it stays under twice
// the positions held plus maxDenseGap (beyond, the map), so it never costs much more than they do.
const maxDenseGap = 1024

// add counts k1 of n1 events of the first group and k2 of n2 of the second for position pos.
func (c *clusterSet) add(pos int32, k1, n1, k2, n2 int) {
	if len(c.cs) == 0 {
		c.base = pos
	}
	i := c.index(pos)
	x := &c.cs[i]
	x.K1, x.N1, x.K2, x.N2 = x.K1+k1, x.N1+n1, x.K2+k2, x.N2+n2
}

// index returns the index in cs of pos, adding it when new.
func (c *clusterSet) index(pos int32) int {
	if d := int64(pos) - int64(c.base); d >= 0 && d < int64(2*len(c.cs)+maxDenseGap) {
		if d < int64(len(c.dense)) && c.dense[d] != 0 {
			return int(c.dense[d]) - 1
		}
		if i, ok := c.at[pos]; ok {
			return i // added through the map before the range reached it
		}
		for int64(len(c.dense)) <= d {
			c.dense = append(c.dense, 0)
		}
		c.cs = append(c.cs, ClusterCounts{})
		c.dense[d] = int32(len(c.cs))
		return len(c.cs) - 1
	}
	if i, ok := c.at[pos]; ok {
		return i
	}
	if c.at == nil {
		c.at = map[int32]int{}
	}
	c.at[pos] = len(c.cs)
	c.cs = append(c.cs, ClusterCounts{})
	return len(c.cs) - 1
}

// clustered returns the clustered SE and t of the set.
func (c *clusterSet) clustered() Clustered {
	_, cl := ClusteredProportionDiff(c.cs)
	return cl
}

// dispWindow is one month's decision moments.
type dispWindow struct {
	from time.Time
	c    DispositionCounts
	cl   clusterSet
}

// chaseWindow is one month's entries after a realized outcome.
type chaseWindow struct {
	from time.Time
	c    chaseCounts
	cl   clusterSet
}

// chaseCounts are the counts behind LossChasing.
type chaseCounts struct {
	afterLoss, bigAfterLoss, afterGain, bigAfterGain int
}

// metric returns loss chasing from the counts and their clusters.
func (c chaseCounts) metric(cl *clusterSet, minEvents int) LossChasing {
	m := LossChasing{AfterLoss: c.afterLoss, AfterGain: c.afterGain, BigAfterLoss: c.bigAfterLoss, BigAfterGain: c.bigAfterGain}
	m.PLoss, m.PGain, m.Diff, m.SE, m.T = ProportionDiff(c.bigAfterLoss, c.afterLoss, c.bigAfterGain, c.afterGain)
	m.Insufficient = insufficientProps("entries after a loss", c.afterLoss, "after a gain", c.afterGain, minEvents, m.SE)
	m.Clustered = cl.clustered()
	return m
}

// dispositionOf returns the disposition metric of counts c with their clusters.
func dispositionOf(c DispositionCounts, cl *clusterSet, minEvents int) Disposition {
	d := DispositionFromCounts(c, minEvents)
	d.Clustered = cl.clustered()
	return d
}

// monthWindow returns the window of ts: the start of its month in the scorer's time zone.
func (s *scorer) monthWindow(ts int64) time.Time { return monthOf(ts, s.m.loc) }

// accountWindows merges the months of the disposition moments and of the entries after an
// outcome, oldest first.
func (s *scorer) accountWindows() []AccountWindow {
	d, c := s.disp.wins, s.chase.wins
	out := make([]AccountWindow, 0, max(len(d), len(c)))
	none := clusterSet{}
	for i, j := 0, 0; i < len(d) || j < len(c); {
		var from time.Time
		switch {
		case j == len(c) || i < len(d) && d[i].from.Before(c[j].from):
			from = d[i].from
		default:
			from = c[j].from
		}
		w := AccountWindow{From: from.UTC(), To: from.AddDate(0, 1, 0).UTC()}
		if i < len(d) && d[i].from.Equal(from) {
			w.Disposition = dispositionOf(d[i].c, &d[i].cl, s.cfg.MinEvents)
			i++
		} else {
			w.Disposition = dispositionOf(DispositionCounts{}, &none, s.cfg.MinEvents)
		}
		if j < len(c) && c[j].from.Equal(from) {
			w.LossChasing = c[j].c.metric(&c[j].cl, s.cfg.MinEvents)
			j++
		} else {
			w.LossChasing = chaseCounts{}.metric(&none, s.cfg.MinEvents)
		}
		out = append(out, w)
	}
	return out
}
