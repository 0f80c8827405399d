package bias

import (
	"math"
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
	acct     int8    // the class the account metric counts (Config.DispositionMark)
	atStart  bool    // held at the start of the moment
	pos      int32   // the position (symState.pos) at the start of the moment or its first sale
}

// dispState walks Odean's (1998) decision moments: the candles in which the account sold.
type dispState struct {
	active                  bool
	period                  int64   // the moment's bar index (OpenTime / interval)
	ts                      int64   // the moment's first sale, whose month is its window
	held                    int     // assets held at the start of the moment
	members                 []int32 // symbols sold in, or held at the start of, the moment
	moments, excluded       int
	rg, rl, pg, pl, unknown int
	// all clusters every counted gain and loss by position; wins are the monthly windows.
	all  clusterSet
	wins []dispWindow
}

// disposition adds the sell f to its decision moment (Odean 1998). It issues no tag: the
// disposition effect is an account metric (Account.Disposition and its windows), never a
// per-trade label; DISPOSITION tags stored under earlier definitions are retired.
func (s *scorer) disposition(f *fill, st *symState) {
	d := &s.disp
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
		mm.sold, mm.ref, mm.pos = true, ref, st.pos
	}
	fee := f.feeQuote
	if math.IsNaN(fee) {
		fee = 0
	}
	mm.qty += f.qty
	mm.net += f.notional - fee
}

// start opens the moment of bar p at the first sale ts: every asset held then is classified as a
// paper gain (the low of its last bar closed before ts above its average cost), a paper loss (the
// high below it) or neither.
func (d *dispState) start(s *scorer, ts, p int64) {
	d.active, d.period, d.ts, d.held = true, p, ts, 0
	for i := range s.syms {
		st := &s.syms[i]
		if !(st.held > 0) {
			continue
		}
		d.held++
		ref := st.cost / st.held
		st.moment.atStart, st.moment.pos = true, st.pos
		b, _ := s.m.barBefore(st.sym, ts)
		st.moment.acct = paperClass(b, ref)
		if s.cfg.DispositionMark == SaleBar {
			st.moment.acct = paperClass(s.m.barAt(st.sym, ts), ref)
		}
		d.members = append(d.members, int32(i))
	}
}

// finalize counts the open moment: a realized gain or loss per asset sold, and a paper gain or
// loss per asset held at its start and not sold, into the account's counts, the window of the
// moment's first sale, and the clusters of their positions. A moment with fewer than
// DispositionMinHoldings assets held is excluded, as in Odean (1998).
func (d *dispState) finalize(s *scorer) {
	if !d.active {
		return
	}
	from := s.monthWindow(d.ts)
	if n := len(d.wins); n == 0 || !d.wins[n-1].from.Equal(from) {
		d.wins = append(d.wins, dispWindow{from: from})
	}
	w := &d.wins[len(d.wins)-1]
	counted := d.held >= s.cfg.DispositionMinHoldings
	if counted {
		d.moments++
		w.c.Moments++
	} else {
		d.excluded++
		w.c.Excluded++
	}
	for _, i := range d.members {
		mm := &s.syms[i].moment
		if counted {
			// k1 of n1 are gains realized of the gains, k2 of n2 losses realized of the losses.
			var k1, n1, k2, n2 int
			switch {
			case mm.sold && !math.IsNaN(mm.ref):
				if unit := mm.net / mm.qty; unit > mm.ref {
					k1, n1 = 1, 1
				} else if unit < mm.ref {
					k2, n2 = 1, 1
				}
			case mm.sold:
			default:
				n1, n2 = b2i(mm.acct == paperGain), b2i(mm.acct == paperLoss)
				d.unknown += b2i(mm.acct == paperUnknown)
				w.c.PaperUnknown += b2i(mm.acct == paperUnknown)
			}
			d.rg, d.pg, d.rl, d.pl = d.rg+k1, d.pg+n1-k1, d.rl+k2, d.pl+n2-k2
			w.c.RG, w.c.PG, w.c.RL, w.c.PL = w.c.RG+k1, w.c.PG+n1-k1, w.c.RL+k2, w.c.PL+n2-k2
			if n1+n2 > 0 {
				d.all.add(mm.pos, k1, n1, k2, n2)
				w.cl.add(mm.pos, k1, n1, k2, n2)
			}
		}
		*mm = symMoment{}
	}
	d.members = d.members[:0]
	d.active = false
}

// account returns the account metric over the moments finalized so far: paper gains and losses
// judged on the bar Config.DispositionMark names.
func (d *dispState) account(cfg *Config) Disposition {
	return dispositionOf(DispositionCounts{Moments: d.moments, Excluded: d.excluded,
		RG: d.rg, RL: d.rl, PG: d.pg, PL: d.pl, PaperUnknown: d.unknown}, &d.all, cfg.MinEvents)
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
