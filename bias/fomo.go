package bias

import (
	"math"

	"github.com/tradecoach/coach"
)

var fomoSignals = []string{"extremeReturn", "abnormalVolume", "stretched"}

// fomo decides FOMO on the buy f (DEFINITIONS.md, FOMO): bought near the recent high, and at least
// FOMOMinSignals of an extreme prior return, abnormal volume and a stretched price, all read at
// the last bar closed before the fill.
func (s *scorer) fomo(f *fill) {
	cfg := s.cfg
	b := s.bar(f, coach.LabelFOMO, s.m.needFOMO)
	if b == nil {
		return
	}
	p := f.price
	rangePos := math.NaN()
	if hi, lo := b.hi, b.lo; hi > lo {
		rangePos = (p - lo) / (hi - lo)
	}
	ret, av, rsi := b.ret, b.av, b.rsi
	z := bandZ(p, b.upper, b.mid, b.lower, cfg.BandK)

	near := atLeast(rangePos, cfg.NearHigh)
	sigs := []signal{
		atLeast(ret, cfg.FOMOReturn),
		atLeast(av, cfg.AbnormalVolume),
		either(atLeast(z, cfg.BandK), atLeast(rsi, cfg.RSIOverbought)),
	}
	yes, maybe := count(sigs...)
	switch {
	case near == fails || yes+maybe < cfg.FOMOMinSignals:
		return // decided: not FOMO
	case near == unknown || yes < cfg.FOMOMinSignals:
		what := undefinedNames(sigs, fomoSignals)
		if near == unknown {
			what = "nearHigh (the recent range is flat)" + sep(what) + what
		}
		s.skip(f, coach.LabelFOMO, CauseUndefined, "undefined evidence: "+what)
		return
	}
	conf := Confidence(cfg.ConfidenceSlope,
		margin(rangePos, cfg.NearHigh, 1-cfg.NearHigh),
		margin(ret, cfg.FOMOReturn, cfg.FOMOReturn),
		margin(av, cfg.AbnormalVolume, cfg.AbnormalVolume),
		max(margin(z, cfg.BandK, cfg.BandK), margin(rsi, cfg.RSIOverbought, 100-cfg.RSIOverbought)),
	)
	o := s.features(f)
	o.time("bar", timeOf(b.open))
	o.begin("ev")
	o.num("rangePos", rangePos)
	o.num("priorReturn", ret)
	o.num("abnormalVolume", av)
	o.num("bandZ", z)
	o.num("rsi", rsi)
	o.end()
	o.strs("signals", append([]string{"nearHigh"}, names(sigs, fomoSignals)...))
	s.tag(f, coach.LabelFOMO, conf, s.done(&o, s.m.consts.fomo))
}

// sep returns ", " when s is not empty.
func sep(s string) string {
	if s == "" {
		return ""
	}
	return ", "
}
