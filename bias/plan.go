package bias

import (
	"encoding/json"
	"math"
	"slices"

	"github.com/tradecoach/coach"
)

// The rule kinds PlanOf reads.
const (
	// RuleStopLossPct is the kind of a stop-loss rule, {"pct": 2.5}: a stop pct percent under
	// each entry's price.
	RuleStopLossPct = "stopLossPct"
	// RuleTakeProfitPct is the kind of a take-profit rule, {"pct": 4}: a target pct percent over
	// each entry's price.
	RuleTakeProfitPct = "takeProfitPct"
)

// Plan is the part of the trader's written plan the definitions read: where their stop and their
// target sit relative to each entry. It anchors PANIC (an exit at the trader's own stop is never
// PANIC), DISCIPLINE (an exit at the plan's stop or target is the evidence of following the plan)
// and HOLDING_LOSERS (an exit at the stop is not riding a loser). The zero Plan has no levels.
type Plan struct {
	// StopLossPct is the stop, in percent under the position's entry price (0: no stop).
	StopLossPct float64
	// TakeProfitPct is the target, in percent over the position's entry price (0: no target).
	TakeProfitPct float64
}

// PlanOf returns the plan written in the trader's rules: the active stopLossPct and
// takeProfitPct rules ({"pct": x} with x in (0, 100)); the tightest when there are several.
// Rules of other kinds, inactive rules and malformed parameters are left out.
func PlanOf(rules []coach.Rule) Plan {
	var p Plan
	for _, r := range rules {
		if !r.Active {
			continue
		}
		var params struct {
			Pct *float64 `json:"pct"`
		}
		if json.Unmarshal(r.Params, &params) != nil || params.Pct == nil || !(*params.Pct > 0 && *params.Pct < 100) {
			continue
		}
		pct := *params.Pct
		switch r.Kind {
		case RuleStopLossPct:
			if p.StopLossPct == 0 || pct < p.StopLossPct {
				p.StopLossPct = pct
			}
		case RuleTakeProfitPct:
			if p.TakeProfitPct == 0 || pct < p.TakeProfitPct {
				p.TakeProfitPct = pct
			}
		}
	}
	return p
}

// valid reports whether the plan's levels are in range: each 0 (none) or in (0, 100).
func (p Plan) valid() bool {
	in := func(x float64) bool { return x == 0 || x > 0 && x < 100 }
	return in(p.StopLossPct) && in(p.TakeProfitPct)
}

// The plan levels an exit can be at.
const (
	exitStop   = "stop"
	exitTarget = "target"
)

// exit is where a sell left its position relative to the plan.
type exit struct {
	at    string  // exitStop, exitTarget or "" (neither)
	level float64 // the plan's price level it was at
	entry float64 // the position's entry price (paid/held before the sell)
}

// exitOf returns where the sell f leaves its position: at the plan's stop when its price is within
// StopTolerance of entry × (1 − StopLossPct/100) and no candle closed since the position opened
// had reached that level (a stop fills the first time the price gets there), at the target
// likewise with entry × (1 + TakeProfitPct/100) and the highs, and otherwise at neither. The
// candles read are those closed at or before the fill.
func (s *scorer) exitOf(f *fill, st *symState, sl sale) exit {
	plan := s.cfg.Plan
	if !sl.known || !(st.held > 0) || !(st.paid > 0) {
		return exit{}
	}
	entry := st.paid / st.held
	near := func(level float64) bool {
		return level > 0 && f.price >= level*(1-s.cfg.StopTolerance) && f.price <= level*(1+s.cfg.StopTolerance)
	}
	if plan.StopLossPct > 0 {
		level := entry * (1 - plan.StopLossPct/100)
		if near(level) {
			if lo, _, ok := s.extremesSince(st, f.ts); ok && lo > level {
				return exit{at: exitStop, level: level, entry: entry}
			}
		}
	}
	if plan.TakeProfitPct > 0 {
		level := entry * (1 + plan.TakeProfitPct/100)
		if near(level) {
			if _, hi, ok := s.extremesSince(st, f.ts); ok && hi < level {
				return exit{at: exitTarget, level: level, entry: entry}
			}
		}
	}
	return exit{}
}

// extremesSince returns the lowest low and highest high of st's candles that opened after the
// candle of the position's opening fill and closed at or before ts, and false when any of them is
// missing. With no such candle (a sale in the candle after the entry's) they are +Inf and −Inf.
func (s *scorer) extremesSince(st *symState, ts int64) (lo, hi float64, ok bool) {
	f := st.frame
	if f == nil {
		return 0, 0, false
	}
	step := s.m.step
	from := floorDiv(st.opened, step)*step + step // the candle after the entry's
	to := floorDiv(ts, step)*step - step          // the last candle closed at or before ts
	lo, hi = inf, -inf
	if to < from {
		return lo, hi, true
	}
	i := searchOpen(f.open, from)
	j := searchOpen(f.open, to)
	if i >= len(f.open) || f.open[i] != from || j >= len(f.open) || f.open[j] != to || int64(j-i) != (to-from)/step {
		return 0, 0, false
	}
	for k := i; k <= j; k++ {
		lo, hi = min(lo, f.bars[k].low), max(hi, f.bars[k].high)
	}
	return lo, hi, true
}

// pendingEntry is an entry order waiting for its position's exit: DISCIPLINE when it leaves at
// the plan's stop or target.
type pendingEntry struct {
	keys            []string // its fills' tag TradeIDs
	userID          string
	checked         int
	notional, price float64
}

// disciplineEntry remembers the buy f, which kept the trader's rules and was questioned by no
// label, as an entry of its position. Its DISCIPLINE waits for the position's exit
// (closePosition): keeping the entry rules is not yet evidence of following the plan.
func (s *scorer) disciplineEntry(f *fill, st *symState) {
	if s.cfg.Rules == nil || !s.planned() || s.decided.questioned {
		return
	}
	v := s.verdict(s.order)
	if !v.Followed() {
		return
	}
	if s.decided.skipLabel != "" {
		s.skip(f, coach.LabelDiscipline, CauseUndecided,
			s.decided.skipLabel+" could not be decided ("+s.decided.skipWhy+")")
		return
	}
	e := pendingEntry{userID: f.t.UserID, checked: v.Checked, notional: f.notional, price: f.price}
	for _, k := range s.order.fills {
		e.keys = append(e.keys, s.fills[k].key)
	}
	st.entries = append(st.entries, e)
}

// disciplineExit tags the sell f DISCIPLINE when it left its position at the plan's stop or
// target, no questioning label fired on it, and the trader's rules checked on it broke none but
// the stop itself (a stop order that slipped a little past its level keeps the plan).
func (s *scorer) disciplineExit(f *fill, ex exit) {
	if s.cfg.Rules == nil || ex.at == "" || s.decided.questioned {
		return
	}
	v := s.verdict(s.order)
	if v.Checked == 0 {
		return
	}
	for _, b := range v.Broken {
		if !(b == RuleStopLossPct && ex.at == exitStop) {
			return
		}
	}
	o := s.features(f)
	o.begin("ev")
	o.int("rulesChecked", v.Checked)
	o.str("exitAt", ex.at)
	o.num("level", ex.level)
	o.num("entryPrice", ex.entry)
	o.end()
	s.tag(f, coach.LabelDiscipline, disciplineConfidence(v.Checked), s.done(&o, s.m.consts.discipline))
}

// closePosition ends st's position: when the exit ex was at the plan's stop or target, the
// position's entries that kept the rules get DISCIPLINE (a later order adds praise to an earlier
// one, never a question: DEFINITIONS.md, DISCIPLINE).
func (s *scorer) closePosition(st *symState, ex exit) {
	if ex.at != "" {
		for _, e := range st.entries {
			o := open(nil)
			o.str("v", s.cfg.Version)
			o.str("symbol", string(st.sym))
			o.str("side", string(coach.Buy))
			o.num("price", e.price)
			o.int("orderFills", len(e.keys))
			if len(e.keys) > 1 {
				o.str("orderOf", e.keys[0])
			}
			o.begin("ev")
			o.int("rulesChecked", e.checked)
			o.str("exitAt", ex.at)
			o.num("level", ex.level)
			o.num("entryPrice", ex.entry)
			o.end()
			o.raw("th", s.m.consts.discipline)
			o.raw("conv", s.m.consts.conv)
			features := o.close()
			for _, key := range e.keys {
				s.lateTags = append(s.lateTags, coach.BiasTag{
					UserID: e.userID, TradeID: key, Label: coach.LabelDiscipline,
					Confidence: disciplineConfidence(e.checked), Features: features,
				})
			}
		}
	}
	st.entries = st.entries[:0]
}

// planned reports whether the plan has a stop or a target to exit at.
func (s *scorer) planned() bool { return s.cfg.Plan.StopLossPct > 0 || s.cfg.Plan.TakeProfitPct > 0 }

var inf = math.Inf(1)

// searchOpen returns the index of the first candle of open times opens that opened at or after t.
func searchOpen(opens []int64, t int64) int {
	i, _ := slices.BinarySearch(opens, t)
	return i
}
