package bias

import "github.com/tradecoach/coach"

// chaseState counts, Coval–Shumway style, how the first entry after each realized outcome
// compares with the trader's own median entry.
type chaseState struct {
	pending                 int8 // -1 after a realized loss, +1 after a gain, 0 when the next entry is not the first after one
	afterLoss, bigAfterLoss int
	afterGain, bigAfterGain int
}

// sold records the outcome of a sell: the next entry is conditioned on it.
func (c *chaseState) sold(sl sale) {
	switch {
	case !sl.known:
		c.pending = 0
	case sl.pnl < 0:
		c.pending = -1
	case sl.pnl > 0:
		c.pending = 1
	}
}

// lossChasing counts the buy f if it is the first entry after a realized outcome, and tags it
// LOSS_CHASING when it follows a loss, is above the trader's median size, and the account's
// difference P(big | loss) − P(big | gain) so far is positive, at least MinEffect, with t ≥ MinT
// on at least MinEvents entries in each group (DEFINITIONS.md, LOSS_CHASING).
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
	med := w.median()
	big := f.notional > med
	if outcome < 0 {
		c.afterLoss++
		if big {
			c.bigAfterLoss++
		}
	} else {
		c.afterGain++
		if big {
			c.bigAfterGain++
		}
	}
	if outcome > 0 || !big {
		return
	}
	m := c.metric(cfg)
	if m.Insufficient != "" || !(m.Diff > 0) || !(m.Diff >= cfg.MinEffect) || !(m.T >= cfg.MinT) {
		return
	}
	o := s.features(f)
	o.begin("ev")
	o.num("notional", f.notional)
	o.num("baselineMedian", med)
	o.int("baselineN", w.len())
	o.int("afterLoss", m.AfterLoss)
	o.int("bigAfterLoss", m.BigAfterLoss)
	o.int("afterGain", m.AfterGain)
	o.int("bigAfterGain", m.BigAfterGain)
	o.num("pLoss", m.PLoss)
	o.num("pGain", m.PGain)
	o.num("diff", m.Diff)
	o.num("se", m.SE)
	o.num("t", m.T)
	o.end()
	conf := Confidence(cfg.ConfidenceSlope, margin(m.T, cfg.MinT, cfg.MinT))
	s.tag(f, coach.LabelLossChasing, conf, s.done(&o, s.m.consts.lossChasing))
}

// metric returns the account-level statistic so far.
func (c *chaseState) metric(cfg *Config) LossChasing {
	m := LossChasing{AfterLoss: c.afterLoss, AfterGain: c.afterGain, BigAfterLoss: c.bigAfterLoss, BigAfterGain: c.bigAfterGain}
	m.PLoss, m.PGain, m.Diff, m.SE, m.T = ProportionDiff(c.bigAfterLoss, c.afterLoss, c.bigAfterGain, c.afterGain)
	m.Insufficient = insufficientProps("entries after a loss", c.afterLoss, "after a gain", c.afterGain, cfg.MinEvents, m.SE)
	return m
}
