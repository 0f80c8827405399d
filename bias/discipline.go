package bias

import (
	"github.com/tradecoach/coach"
)

// discipline tags f DISCIPLINE when the trader's own rules applied to it and were all followed,
// FOMO, PANIC and REVENGE were each decided, and no label fired on it (DEFINITIONS.md).
func (s *scorer) discipline(f *fill) {
	if s.cfg.Rules == nil || s.decided.fired {
		return
	}
	v := s.cfg.Rules(*f.t)
	if !v.Followed() {
		return
	}
	if s.decided.skipLabel != "" {
		s.skip(f, coach.LabelDiscipline, CauseUndecided,
			s.decided.skipLabel+" could not be decided ("+s.decided.skipWhy+")")
		return
	}
	clear := []string{coach.LabelPanic}
	if f.buy {
		clear = []string{coach.LabelFOMO, coach.LabelRevenge}
	}
	o := s.features(f)
	o.begin("ev")
	o.int("rulesChecked", v.Checked)
	o.strs("clearOf", clear)
	o.end()
	s.tag(f, coach.LabelDiscipline, disciplineConfidence(v.Checked), s.done(&o, []byte("{}")))
}

// disciplineConfidence is 1 − 1/(2 + n) for n rules followed: 0.667 for one rule, 0.75 for two,
// rising toward 1 as more of the trader's rules vouch for the trade.
func disciplineConfidence(n int) float64 {
	c := 1 - 1/(2+float64(n))
	return float64(int(c*1e4+0.5)) / 1e4
}
