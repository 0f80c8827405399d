package digest

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// MaxSuggestion is the most characters (runes) a suggestion's text has.
const MaxSuggestion = 280

// candidate is a label the suggestion may be about.
type candidate struct {
	label    string
	count    int
	days     int
	realized decimal.Decimal
	sim      *SimOutcome
}

// chooseSuggestion picks the suggestion by the rules in Suggestion's doc comment.
func chooseSuggestion(p *Payload, labelDays map[string]map[int]bool, ruleDays map[string]int, sims []SimOutcome) Suggestion {
	var cands []candidate
	for l, n := range p.CountsByBias {
		if l == coach.LabelDiscipline {
			continue
		}
		c := candidate{label: l, count: n, days: len(labelDays[l]), realized: p.PnLByBias[l].Realized}
		for i := range sims {
			s := &sims[i]
			if s.Label != l || s.Delta.Sign() <= 0 || s.Quote != "" && s.Quote != p.Quote {
				continue
			}
			if c.sim == nil || s.Delta.GreaterThan(c.sim.Delta) || s.Delta.Equal(c.sim.Delta) && s.Scenario < c.sim.Scenario {
				c.sim = s
			}
		}
		cands = append(cands, c)
	}
	byCount := func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.count, a.count), strings.Compare(a.label, b.label))
	}

	// 1. A simulation that would have done better.
	if best, ok := pick(cands, func(c candidate) bool { return c.sim != nil }, func(a, b candidate) int {
		return cmp.Or(b.sim.Delta.Cmp(a.sim.Delta), byCount(a, b))
	}); ok {
		return labelSuggestion(p, best)
	}
	// 2. A label that cost money.
	if best, ok := pick(cands, func(c candidate) bool { return c.realized.Sign() < 0 }, func(a, b candidate) int {
		return cmp.Or(a.realized.Cmp(b.realized), byCount(a, b))
	}); ok {
		return labelSuggestion(p, best)
	}
	// 3. A broken rule (RuleViolations is sorted most broken first, ties in rule order).
	var broken *Violation
	for i := range p.RuleViolations {
		v := &p.RuleViolations[i]
		if v.Count > 0 && (broken == nil || v.Count == broken.Count && v.RuleID < broken.RuleID) {
			broken = v
		}
	}
	if broken != nil {
		return ruleSuggestion(p, broken, ruleDays[broken.RuleID])
	}
	// 4. Any other label.
	if best, ok := pick(cands, func(candidate) bool { return true }, byCount); ok {
		return labelSuggestion(p, best)
	}
	// 5. and 6.
	if n := p.CountsByBias[coach.LabelDiscipline]; n > 0 {
		return Suggestion{Kind: SuggestKeep, Label: coach.LabelDiscipline, Evidence: Evidence{Count: n, Days: len(labelDays[coach.LabelDiscipline])},
			Text: fit(plural(n, "trade") + " this week " + was(n) + " tagged DISCIPLINE: your rules kept, and the position closed at your plan's stop or target. Use the same checklist next week.")}
	}
	if p.TradeCount == 0 {
		return Suggestion{Kind: SuggestNone, Text: "No trades this week, so there is nothing to review. The next digest picks up from your next trade."}
	}
	return Suggestion{Kind: SuggestNone, Evidence: Evidence{Count: p.TradeCount, Days: p.ActiveDays},
		Text: fit("Nothing in this week's " + plural(p.TradeCount, "trade") + " stood out. Noting the reason for each entry before you place it makes next week's review sharper.")}
}

// pick returns the first candidate by order among those that keep.
func pick(cands []candidate, keep func(candidate) bool, order func(a, b candidate) int) (candidate, bool) {
	var kept []candidate
	for _, c := range cands {
		if keep(c) {
			kept = append(kept, c)
		}
	}
	if len(kept) == 0 {
		return candidate{}, false
	}
	slices.SortFunc(kept, order)
	return kept[0], true
}

// pattern reports whether count events over days allow speaking of a pattern in week p.
func pattern(p *Payload, count, days int) bool {
	return !p.DataQuality.Insufficient && count >= bias.MinTrendEvents && days >= 2
}

func labelSuggestion(p *Payload, c candidate) Suggestion {
	s := Suggestion{Kind: SuggestLabel, Label: c.label,
		Evidence: Evidence{Count: c.count, Days: c.days, Realized: c.realized, Pattern: pattern(p, c.count, c.days)}}
	name := labelName(c.label)
	var b strings.Builder
	if s.Evidence.Pattern {
		b.WriteString(name + " came up on " + strconv.Itoa(c.count) + " trades across " + strconv.Itoa(c.days) + " days this week, a pattern worth a rule")
	} else {
		b.WriteString("This week " + plural(c.count, "trade") + " " + was(c.count) + " tagged " + name)
	}
	if p.PnLByBias[c.label].Closes > 0 && c.realized.Sign() != 0 && p.Quote != "" {
		word := "loss"
		if c.realized.Sign() > 0 {
			word = "gain"
		}
		b.WriteString("; " + money(c.realized.Abs(), p.Quote) + " of realized " + word + " this week is attributed to that label")
	}
	b.WriteString(". ")
	if c.sim != nil {
		d := c.sim.Delta
		s.Scenario, s.SimulationDelta = c.sim.Scenario, &d
		b.WriteString("A what-if (" + clip(c.sim.Scenario, 32) + ") ends the week " + money(d, p.Quote) + " better. ")
		s.Note = SimulationNote(c.label, c.realized, d, p.Quote)
	}
	b.WriteString(advice(c.label))
	s.Text = fit(b.String())
	return s
}

func ruleSuggestion(p *Payload, v *Violation, days int) Suggestion {
	s := Suggestion{Kind: SuggestRule, RuleID: v.RuleID,
		Evidence: Evidence{Count: v.Count, Days: days, Pattern: pattern(p, v.Count, days)}}
	var text string
	if s.Evidence.Pattern {
		text = "Your rule " + clip(v.Kind, 40) + " was broken on " + strconv.Itoa(v.Count) + " trades across " + strconv.Itoa(days) +
			" days this week, a pattern worth a look. Check it before each entry next week."
	} else {
		text = "Your rule " + clip(v.Kind, 40) + " was broken " + times(v.Count) + " this week. Check it before each entry next week."
	}
	s.Text = fit(text)
	return s
}

// labelName names a label's trades for people.
func labelName(l string) string {
	switch l {
	case coach.LabelFOMO:
		return "FOMO buying"
	case coach.LabelPanic:
		return "Panic selling"
	case coach.LabelRevenge:
		return "Revenge trading"
	case coach.LabelOvertrading:
		return "Overtrading"
	case coach.LabelHoldingLosers:
		return "Holding losers long"
	case coach.LabelDiscipline:
		return "Rule-keeping"
	}
	return clip(l, 32)
}

// advice is one concrete step for a label, free of trend language.
func advice(l string) string {
	switch l {
	case coach.LabelFOMO:
		return "Before a buy after a sharp rise, wait for the next candle to close and write down your exit first."
	case coach.LabelPanic:
		return "Set your exit level when you enter, so a sharp drop meets a plan rather than a decision."
	case coach.LabelRevenge:
		return "After a realized loss, pause before the next entry and size it as you normally would."
	case coach.LabelOvertrading:
		return "A daily cap on trades (a maxTradesPerDay rule) makes each one count."
	case coach.LabelHoldingLosers:
		return "Decide a stop for each position when you open it (a stopLossPct rule)."
	}
	return "Look at the evidence on those trades and pick one rule for them."
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func was(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return strconv.Itoa(n) + " times"
}

// money formats an amount with two decimals and its asset.
func money(d decimal.Decimal, quote string) string { return d.StringFixed(2) + " " + quote }

// fit cuts text to MaxSuggestion characters at a word boundary, with an ellipsis.
func fit(text string) string {
	if utf8.RuneCountInString(text) <= MaxSuggestion {
		return text
	}
	cut := string([]rune(text)[:MaxSuggestion-1])
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}
