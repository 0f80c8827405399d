package digest

import (
	"cmp"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
)

// violations counts each rule's verdicts with At in [start, end), most broken first (then by the
// rules' order), and the local days on which each rule (by id) was broken.
func violations(e *rules.Evaluation, start, end time.Time, loc *time.Location) ([]Violation, map[string]int) {
	out := make([]Violation, len(e.Rules))
	idx := make(map[rules.RuleRef]int, len(e.Rules))
	days := make([][]coach.Date, len(e.Rules))
	for i, r := range e.Rules {
		out[i] = Violation{RuleID: r.ID, Kind: r.Kind}
		if _, dup := idx[r]; !dup {
			idx[r] = i
		}
	}
	for i := range e.Verdicts {
		v := &e.Verdicts[i]
		j, ok := idx[rules.RuleRef{ID: v.RuleID, Kind: v.Kind}]
		if !ok || v.At.Before(start) || !v.At.Before(end) {
			continue
		}
		switch v.Outcome {
		case rules.Broken:
			out[j].Count++
			out[j].Checked++
			d := coach.DateOf(v.At.In(loc))
			if !slices.Contains(days[j], d) {
				days[j] = append(days[j], d)
			}
		case rules.Followed:
			out[j].Checked++
		default:
			out[j].Undecided++
		}
	}
	brokenDays := make(map[string]int, len(out))
	for i := range out {
		brokenDays[out[i].RuleID] += len(days[i])
	}
	slices.SortStableFunc(out, func(a, b Violation) int { return cmp.Compare(b.Count, a.Count) })
	return out, brokenDays
}

// streaksOf converts the rules package's report.
func streaksOf(r rules.StreakReport) Streaks {
	s := Streaks{Overall: streakOf("", "", r.Overall), Rules: make([]Streak, len(r.Rules))}
	for i, x := range r.Rules {
		s.Rules[i] = streakOf(x.RuleID, x.Kind, x.Standing)
	}
	return s
}

func streakOf(id, kind string, s rules.Standing) Streak {
	return Streak{RuleID: id, Kind: kind, CurrentTrades: s.Trades.Current, BestTrades: s.Trades.Best,
		CurrentDays: s.Days.Current, BestDays: s.Days.Best}
}
