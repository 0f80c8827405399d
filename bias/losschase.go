package bias

// chaseState counts, Coval–Shumway style, how the first entry after each realized outcome
// compares with the trader's own median entry.
type chaseState struct {
	pending    int8  // -1 after a realized loss, +1 after a gain, 0 when the next entry is not the first after one
	pendingPos int32 // the position whose sale gave the pending outcome: the entry's cluster
	counts     chaseCounts
	// all clusters every counted entry by pendingPos; wins are the monthly windows.
	all  clusterSet
	wins []chaseWindow
}

// sold records the outcome of a sell of position pos: the next entry is conditioned on it.
func (c *chaseState) sold(sl sale, pos int32) {
	switch {
	case !sl.known:
		c.pending = 0
	case sl.pnl < 0:
		c.pending, c.pendingPos = -1, pos
	case sl.pnl > 0:
		c.pending, c.pendingPos = 1, pos
	}
}

// lossChasing counts the buy f if it is the first entry after a realized outcome (Coval and
// Shumway 2005, in trade time), in the account's counts, the window of f's month and the cluster
// of the position whose sale gave the outcome. It issues no tag: loss chasing is an account
// metric (Account.LossChasing and its windows), never a per-trade label; LOSS_CHASING tags stored
// under earlier definitions are retired.
func (s *scorer) lossChasing(f *fill, in bool) {
	c, cfg := &s.chase, s.cfg
	outcome := c.pending
	c.pending = 0
	if outcome == 0 {
		return
	}
	w := s.syms[f.sym].sizes
	if w.len() < cfg.MinBaselineEntries || !in {
		return
	}
	big := b2i(f.notional > w.median())
	from := s.monthWindow(f.ts)
	if n := len(c.wins); n == 0 || !c.wins[n-1].from.Equal(from) {
		c.wins = append(c.wins, chaseWindow{from: from})
	}
	win := &c.wins[len(c.wins)-1]
	// The first group is the entries after a loss, the second those after a gain.
	if outcome < 0 {
		c.counts.afterLoss, c.counts.bigAfterLoss = c.counts.afterLoss+1, c.counts.bigAfterLoss+big
		win.c.afterLoss, win.c.bigAfterLoss = win.c.afterLoss+1, win.c.bigAfterLoss+big
		c.all.add(c.pendingPos, big, 1, 0, 0)
		win.cl.add(c.pendingPos, big, 1, 0, 0)
	} else {
		c.counts.afterGain, c.counts.bigAfterGain = c.counts.afterGain+1, c.counts.bigAfterGain+big
		win.c.afterGain, win.c.bigAfterGain = win.c.afterGain+1, win.c.bigAfterGain+big
		c.all.add(c.pendingPos, 0, 0, big, 1)
		win.cl.add(c.pendingPos, 0, 0, big, 1)
	}
}

// metric returns the account-level statistic over every entry counted.
func (c *chaseState) metric(cfg *Config) LossChasing {
	return c.counts.metric(&c.all, cfg.MinEvents)
}
