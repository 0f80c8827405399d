package bias

import (
	"math"

	"github.com/tradecoach/coach"
)

var fomoSignals = []string{"extremeReturn", "abnormalVolume", "stretched"}

// fomo decides FOMO on the buy order f (DEFINITIONS.md, FOMO): bought into a rise still making
// new highs — the last bar closed before the fill made the highest close since the recent range's
// low (or the fill is above it), and the fill is within NearHigh of that close — after a run-up
// of at least FOMOReturn from the recent low, with at least FOMOMinSignals of an extreme prior
// return, abnormal volume and a stretched price, all read at the last bar closed before the fill.
func (s *scorer) fomo(f *fill) {
	cfg := s.cfg
	b := s.bar(f, coach.LabelFOMO, s.m.needFOMO)
	if b == nil {
		return
	}
	p := f.price
	rangePos, belowHigh, runUp := math.NaN(), math.NaN(), math.NaN()
	if hi, lo := b.hi, b.lo; hi > lo {
		rangePos = (p - lo) / (hi - lo)
	}
	if b.lo > 0 {
		runUp = p/b.lo - 1
	}
	rally := atLeast(runUp, cfg.FOMOReturn)
	if rally == fails {
		return // decided: no run-up, not FOMO
	}
	// Rising: the last closed bar made the highest close since the range's low, or the fill is
	// above every close since it.
	top, rising := s.highSinceLow(f)
	rising = rising || p >= top
	if top > 0 {
		belowHigh = 1 - p/top
	}
	ret, av, rsi := b.ret, b.av, b.rsi
	z := bandZ(p, b.upper, b.mid, b.lower, cfg.BandK)

	near := atMost(belowHigh, cfg.NearHigh)
	sigs := []signal{
		atLeast(ret, cfg.FOMOReturn),
		atLeast(av, cfg.AbnormalVolume),
		either(atLeast(z, cfg.BandK), atLeast(rsi, cfg.RSIOverbought)),
	}
	yes, maybe := count(sigs...)
	switch {
	case !rising || near == fails || yes+maybe < cfg.FOMOMinSignals:
		return // decided: not FOMO
	case near == unknown || rally == unknown || yes < cfg.FOMOMinSignals:
		what := undefinedNames(sigs, fomoSignals)
		if near == unknown || rally == unknown {
			what = "nearHigh and runUp (no recent range)" + sep(what) + what
		}
		s.skip(f, coach.LabelFOMO, CauseUndefined, "undefined evidence: "+what)
		return
	}
	conf := Confidence(cfg.ConfidenceSlope,
		margin(-belowHigh, -cfg.NearHigh, cfg.NearHigh),
		margin(runUp, cfg.FOMOReturn, cfg.FOMOReturn),
		margin(av, cfg.AbnormalVolume, cfg.AbnormalVolume),
		max(margin(z, cfg.BandK, cfg.BandK), margin(rsi, cfg.RSIOverbought, 100-cfg.RSIOverbought)),
	)
	o := s.features(f)
	o.time("bar", timeOf(b.open))
	o.begin("ev")
	o.num("rangePos", rangePos)
	o.num("highClose", top)
	o.num("belowHigh", belowHigh)
	o.num("runUp", runUp)
	o.num("priorReturn", ret)
	o.num("abnormalVolume", av)
	o.num("bandZ", z)
	o.num("rsi", rsi)
	o.end()
	o.strs("signals", append([]string{"nearHigh", "runUp"}, names(sigs, fomoSignals)...))
	s.tag(f, coach.LabelFOMO, conf, s.done(&o, s.m.consts.fomo))
}

// sep returns ", " when s is not empty.
func sep(s string) string {
	if s == "" {
		return ""
	}
	return ", "
}

// highSinceLow returns the highest close of the bars of RangeWindow from the last one that made
// the range's lowest low up to the last bar closed before the fill f (whose index bar left in
// the symbol's hint), and whether that last bar made it: the rise from the recent low is still
// making new highs. Closes rather than highs, so that a passing spike does not count as the
// rise's level. The bars are contiguous, as the warm-up checked.
func (s *scorer) highSinceLow(f *fill) (top float64, rising bool) {
	st := &s.syms[f.sym]
	bars, c := st.frame.bars, st.hint
	from := max(c-s.cfg.bars(s.cfg.RangeWindow)+1, 0)
	at := from
	for k := from + 1; k <= c; k++ {
		if bars[k].low <= bars[at].low {
			at = k
		}
	}
	top, hat := bars[at].close, at
	for k := at + 1; k <= c; k++ {
		if bars[k].close >= top {
			top, hat = bars[k].close, k
		}
	}
	return top, hat == c
}
