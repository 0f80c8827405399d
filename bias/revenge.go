package bias

import (
	"math"
	"time"

	"github.com/tradecoach/coach"
)

// revengeState remembers the account's latest realized loss, for REVENGE.
type revengeState struct {
	loss       bool // a qualifying loss has been realized
	lossTS     int64
	lossPnL    float64
	lossPct    float64
	lossTrade  string
	lossSymbol coach.Symbol
	unknown    bool // a sell with unknown P/L has happened
	unknownTS  int64
}

// sold updates the state after the sell f.
func (r *revengeState) sold(s *scorer, f *fill, sl sale) {
	if !sl.known {
		r.unknown, r.unknownTS = true, f.ts
		return
	}
	if !(sl.pnl < 0) {
		return
	}
	pct := math.NaN()
	if sl.cost > 0 {
		pct = sl.pnl / sl.cost
	}
	if !(pct <= -s.cfg.RevengeMinLoss) && !math.IsNaN(pct) {
		return // a loss too small to count (fees on a flat round trip)
	}
	r.loss, r.lossTS, r.lossPnL, r.lossPct = true, f.ts, sl.pnl, pct
	r.lossTrade, r.lossSymbol = f.key, s.syms[f.sym].sym
}

// revenge decides REVENGE on the buy f (DEFINITIONS.md, REVENGE): within RevengeWindow of a
// realized loss, and sized at least RevengeSizeMultiple times the trader's own median entry in
// the same quote asset.
func (s *scorer) revenge(f *fill, in bool) {
	if !in {
		return
	}
	cfg, r := s.cfg, &s.rev
	window := int64(cfg.RevengeWindow)
	soon := r.loss && f.ts-r.lossTS <= window
	if !soon {
		if r.unknown && f.ts-r.unknownTS <= window {
			s.skip(f, coach.LabelRevenge, CauseNoPosition,
				"unknown P/L: the sell just before this entry closed holdings the trades do not show")
		}
		return
	}
	st := &s.syms[f.sym]
	w := st.sizes
	if w.len() < cfg.MinBaselineEntries {
		s.skip(f, coach.LabelRevenge, CauseBaseline, "insufficient data: "+plural(w.len(), "earlier entry", "earlier entries")+
			" in "+st.quote+" for a size baseline, need "+itoa(cfg.MinBaselineEntries))
		return
	}
	med := w.median()
	ratio := f.notional / med
	if !(ratio >= cfg.RevengeSizeMultiple) {
		return
	}
	after := time.Duration(f.ts - r.lossTS)
	conf := Confidence(cfg.ConfidenceSlope,
		margin(ratio, cfg.RevengeSizeMultiple, cfg.RevengeSizeMultiple),
		margin(1-float64(after)/float64(window), 0, 1),
	)
	o := s.features(f)
	o.begin("ev")
	o.num("notional", f.notional)
	o.num("baselineMedian", med)
	o.int("baselineN", w.len())
	o.num("sizeRatio", ratio)
	o.num("minutesAfterLoss", after.Minutes())
	o.num("lossPnl", r.lossPnL)
	o.num("lossPct", r.lossPct)
	o.str("lossTradeId", r.lossTrade)
	o.str("lossSymbol", string(r.lossSymbol))
	o.end()
	s.tag(f, coach.LabelRevenge, conf, s.done(&o, s.m.consts.revenge))
}
