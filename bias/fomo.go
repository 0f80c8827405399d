package bias

import (
	"math"

	"github.com/tradecoach/coach"
)

var fomoSignals = []string{"extremeReturn", "abnormalVolume", "stretched"}

// fomo decides FOMO on the buy order f (DEFINITIONS.md, FOMO): bought within NearHigh of the
// recent high after a run-up of at least FOMOReturn from the recent low, with at least
// FOMOMinSignals of an extreme prior return, abnormal volume and a stretched price, all read at
// the last bar closed before the fill.
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
	if b.hi > 0 && b.lo > 0 {
		belowHigh, runUp = 1-p/b.hi, p/b.lo-1
	}
	ret, av, rsi := b.ret, b.av, b.rsi
	z := bandZ(p, b.upper, b.mid, b.lower, cfg.BandK)

	near := atMost(belowHigh, cfg.NearHigh)
	rally := atLeast(runUp, cfg.FOMOReturn)
	sigs := []signal{
		atLeast(ret, cfg.FOMOReturn),
		atLeast(av, cfg.AbnormalVolume),
		either(atLeast(z, cfg.BandK), atLeast(rsi, cfg.RSIOverbought)),
	}
	yes, maybe := count(sigs...)
	switch {
	case near == fails || rally == fails || yes+maybe < cfg.FOMOMinSignals:
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
