package bias

import (
	"math"

	"github.com/tradecoach/coach"
)

// Paper classes of an asset held at the start of a decision moment.
const (
	paperNeither int8 = iota
	paperGain
	paperLoss
	paperUnknown
)

// symMoment is one symbol's part in the current decision moment.
type symMoment struct {
	sold     bool
	qty, net float64 // quantity sold and net proceeds (after fees) in the moment
	ref      float64 // average cost per unit at its first sale in the moment; NaN without holdings
	paper    int8    // the class the per-trade tags read (the last closed bar)
	acct     int8    // the class the account metric counts (Config.DispositionMark)
	atStart  bool    // held at the start of the moment
}

// dispState walks Odean's (1998) decision moments: the candles in which the account sold.
type dispState struct {
	active                  bool
	period                  int64   // the moment's bar index (OpenTime / interval)
	held                    int     // assets held at the start of the moment
	losers                  int     // of them, paper losses
	worst                   int32   // the paper loss furthest under its reference price, -1 for none
	worstPct                float64 // its close over its reference price, minus 1
	members                 []int32 // symbols sold in, or held at the start of, the moment
	moments, excluded       int
	rg, rl, pg, pl, unknown int
	// apg, apl and aunknown are pg, pl and unknown as Config.DispositionMark classifies them:
	// the account metric's; the per-trade tags read only pg and pl.
	apg, apl, aunknown int
}

// disposition adds the sell f to its decision moment, and tags it DISPOSITION when it realized a
// gain while the account held an asset at a paper loss, and the moments before it show DE > 0,
// at least MinEffect, with t ≥ MinT on at least MinEvents gains and losses (DEFINITIONS.md).
func (s *scorer) disposition(f *fill, st *symState) {
	d, cfg := &s.disp, s.cfg
	p := floorDiv(f.ts, s.m.step)
	if d.active && p != d.period {
		d.finalize(s)
	}
	if !d.active {
		d.start(s, f.ts, p)
	}
	ref := math.NaN()
	if st.held > 0 {
		ref = st.cost / st.held
	}
	mm := &st.moment
	if !mm.sold {
		if !mm.atStart {
			d.members = append(d.members, f.sym)
		}
		mm.sold, mm.ref = true, ref
	}
	fee := f.feeQuote
	if math.IsNaN(fee) {
		fee = 0
	}
	net := f.notional - fee
	mm.qty += f.qty
	mm.net += net
	unit := net / f.qty
	if !(unit > ref) || d.worst < 0 || d.worst == f.sym {
		return
	}
	m := d.metric(cfg)
	if m.Insufficient != "" || !(m.DE > 0) || !(m.DE >= cfg.MinEffect) || !(m.T >= cfg.MinT) {
		return
	}
	o := s.features(f)
	o.begin("ev")
	o.num("netPrice", unit)
	o.num("refPrice", ref)
	o.num("gainPct", unit/ref-1)
	o.int("paperLosers", d.losers)
	o.str("paperLoser", string(s.syms[d.worst].sym))
	o.num("paperLoserPct", d.worstPct)
	o.int("moments", m.Moments)
	o.int("rg", m.RG)
	o.int("pg", m.PG)
	o.int("rl", m.RL)
	o.int("pl", m.PL)
	o.num("pgr", m.PGR)
	o.num("plr", m.PLR)
	o.num("de", m.DE)
	o.num("se", m.SE)
	o.num("t", m.T)
	o.end()
	conf := Confidence(cfg.ConfidenceSlope, margin(m.T, cfg.MinT, cfg.MinT))
	s.tag(f, coach.LabelDisposition, conf, s.done(&o, s.m.consts.disposition))
}

// start opens the moment of bar p at the first sale ts: every asset held then is classified as a
// paper gain (the low of its last bar closed before ts above its average cost), a paper loss (the
// high below it) or neither.
func (d *dispState) start(s *scorer, ts, p int64) {
	d.active, d.period, d.held, d.losers, d.worst, d.worstPct = true, p, 0, 0, -1, 0
	for i := range s.syms {
		st := &s.syms[i]
		if !(st.held > 0) {
			continue
		}
		d.held++
		ref := st.cost / st.held
		st.moment.atStart = true
		b, _ := s.m.barBefore(st.sym, ts)
		st.moment.paper = paperClass(b, ref)
		if st.moment.paper == paperLoss {
			d.losers++
			if pct := b.close/ref - 1; d.worst < 0 || pct < d.worstPct {
				d.worst, d.worstPct = int32(i), pct
			}
		}
		st.moment.acct = st.moment.paper
		if s.cfg.DispositionMark == SaleBar {
			st.moment.acct = paperClass(s.m.barAt(st.sym, ts), ref)
		}
		d.members = append(d.members, int32(i))
	}
}

// finalize counts the open moment: a realized gain or loss per asset sold, and a paper gain or
// loss per asset held at its start and not sold. A moment with fewer than DispositionMinHoldings
// assets held is excluded, as in Odean (1998).
func (d *dispState) finalize(s *scorer) {
	if !d.active {
		return
	}
	counted := d.held >= s.cfg.DispositionMinHoldings
	if counted {
		d.moments++
	} else {
		d.excluded++
	}
	for _, i := range d.members {
		mm := &s.syms[i].moment
		if counted {
			switch {
			case mm.sold && !math.IsNaN(mm.ref):
				if unit := mm.net / mm.qty; unit > mm.ref {
					d.rg++
				} else if unit < mm.ref {
					d.rl++
				}
			case mm.sold:
			default:
				d.pg += b2i(mm.paper == paperGain)
				d.pl += b2i(mm.paper == paperLoss)
				d.unknown += b2i(mm.paper == paperUnknown)
				d.apg += b2i(mm.acct == paperGain)
				d.apl += b2i(mm.acct == paperLoss)
				d.aunknown += b2i(mm.acct == paperUnknown)
			}
		}
		*mm = symMoment{}
	}
	d.members = d.members[:0]
	d.active = false
}

// metric returns the statistic over the moments finalized so far that the per-trade tags read:
// paper gains and losses judged on the last closed bar.
func (d *dispState) metric(cfg *Config) Disposition {
	return DispositionFromCounts(DispositionCounts{Moments: d.moments, Excluded: d.excluded,
		RG: d.rg, RL: d.rl, PG: d.pg, PL: d.pl, PaperUnknown: d.unknown}, cfg.MinEvents)
}

// account returns the account metric over the moments finalized so far: paper gains and losses
// judged on the bar Config.DispositionMark names.
func (d *dispState) account(cfg *Config) Disposition {
	return DispositionFromCounts(DispositionCounts{Moments: d.moments, Excluded: d.excluded,
		RG: d.rg, RL: d.rl, PG: d.apg, PL: d.apl, PaperUnknown: d.aunknown}, cfg.MinEvents)
}

// paperClass classifies an asset held with reference price ref by bar b (Odean 1998): a paper
// gain when its low is above ref, a paper loss when its high is below, neither otherwise, and
// unknown without a bar.
func paperClass(b *bar, ref float64) int8 {
	switch {
	case b == nil:
		return paperUnknown
	case b.low > ref:
		return paperGain
	case b.high < ref:
		return paperLoss
	}
	return paperNeither
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
