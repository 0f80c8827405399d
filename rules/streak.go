package rules

import (
	"cmp"
	"slices"
	"time"

	"github.com/tradecoach/coach"
)

// Streak is a run of trades or days that kept the rules: the one still going (Current, 0 when
// the last one broke a rule) and the longest (Best).
type Streak struct {
	Current int `json:"current"`
	Best    int `json:"best"`
}

// Standing is how a trader stands against one rule, or against all of them.
type Standing struct {
	// Trades counts trades with a decided verdict: a trade keeps the streak when its decided
	// verdicts were all followed and breaks it when one was broken. A trade with only
	// undecided verdicts (or none) neither breaks nor extends it.
	Trades Streak `json:"trades"`
	// Days counts the user's local days (of each verdict's At): a day keeps the streak when it
	// has a decided verdict and none broken, and breaks it when it has a broken one. A day
	// without a decided verdict — a day without trades — neither breaks nor extends it.
	Days Streak `json:"days"`
	// Followed, Broken and Undecided count the verdicts.
	Followed  int `json:"followed"`
	Broken    int `json:"broken"`
	Undecided int `json:"undecided"`
}

// RuleStanding is the Standing of one rule.
type RuleStanding struct {
	RuleID string `json:"ruleId"`
	Kind   string `json:"kind"`
	Standing
}

// StreakReport is what Streaks finds.
type StreakReport struct {
	// Overall judges each trade and day by every rule together.
	Overall Standing `json:"overall"`
	// Rules has one entry per rule of the Evaluation, in its order.
	Rules []RuleStanding `json:"rules"`
}

// Streaks counts the streaks of e, per rule and over all rules, with days in loc (nil means
// UTC). Trades come in the order of e.Verdicts, which is the trade order; a buy whose position
// was later held past its stop (stopLossPct) breaks the trade streak at the buy and the day
// streak on the day the stop was crossed.
func Streaks(e *Evaluation, loc *time.Location) StreakReport {
	if loc == nil {
		loc = time.UTC
	}
	rep := StreakReport{Rules: make([]RuleStanding, len(e.Rules))}
	ruleIdx := make(map[RuleRef]int, len(e.Rules))
	for i, r := range e.Rules {
		rep.Rules[i] = RuleStanding{RuleID: r.ID, Kind: r.Kind}
		if _, dup := ruleIdx[r]; !dup {
			ruleIdx[r] = i
		}
	}
	per := make([]runs, len(e.Rules))
	var all runs
	// day outcomes: overall, and per rule
	allDays := map[coach.Date]Outcome{}
	ruleDays := make([]map[coach.Date]Outcome, len(e.Rules))
	for i := range ruleDays {
		ruleDays[i] = map[coach.Date]Outcome{}
	}
	for i := 0; i < len(e.Verdicts); {
		j := i + 1
		for j < len(e.Verdicts) && e.sameTrade(i, j) {
			j++
		}
		trade := Undecided
		for _, v := range e.Verdicts[i:j] {
			ri, ok := ruleIdx[RuleRef{ID: v.RuleID, Kind: v.Kind}]
			count(&rep.Overall, v.Outcome)
			if ok {
				count(&rep.Rules[ri].Standing, v.Outcome)
				per[ri].add(v.Outcome)
			}
			if v.Outcome != Followed && v.Outcome != Broken {
				continue
			}
			trade = worse(trade, v.Outcome)
			d := coach.DateOf(v.At.In(loc))
			allDays[d] = worse(allDays[d], v.Outcome)
			if ok {
				ruleDays[ri][d] = worse(ruleDays[ri][d], v.Outcome)
			}
		}
		all.add(trade)
		i = j
	}
	rep.Overall.Trades = all.streak()
	rep.Overall.Days = dayStreak(allDays)
	for i := range rep.Rules {
		rep.Rules[i].Trades = per[i].streak()
		rep.Rules[i].Days = dayStreak(ruleDays[i])
	}
	return rep
}

func count(s *Standing, o Outcome) {
	switch o {
	case Followed:
		s.Followed++
	case Broken:
		s.Broken++
	default:
		s.Undecided++
	}
}

// worse combines decided outcomes: Broken wins over Followed, which wins over nothing decided.
func worse(a, b Outcome) Outcome {
	switch {
	case a == Broken || b == Broken:
		return Broken
	case a == Followed || b == Followed:
		return Followed
	}
	return Undecided
}

// runs counts the current and best run of Followed outcomes; anything undecided is skipped.
type runs struct{ current, best int }

func (r *runs) add(o Outcome) {
	switch o {
	case Followed:
		r.current++
		r.best = max(r.best, r.current)
	case Broken:
		r.current = 0
	}
}

func (r runs) streak() Streak { return Streak{Current: r.current, Best: r.best} }

// dayStreak runs over the days in calendar order.
func dayStreak(days map[coach.Date]Outcome) Streak {
	ds := make([]coach.Date, 0, len(days))
	for d, o := range days {
		if o == Followed || o == Broken {
			ds = append(ds, d)
		}
	}
	slices.SortFunc(ds, func(a, b coach.Date) int {
		return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month), cmp.Compare(a.Day, b.Day))
	})
	var r runs
	for _, d := range ds {
		r.add(days[d])
	}
	return r.streak()
}
