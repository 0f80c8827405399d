package bias

import (
	"math"
	"strings"
)

// The reflections of each label, written to the wording guide of DEFINITIONS.md: they describe
// the order and the day with numbers as a trader counts them (percent moves over hours, the
// trades of the day, sizes against the trader's usual), put ratios as "N times as long as",
// never judge or say what caused what, never nudge to close a position, and end with an open
// question. Every number comes from the tag's features; a phrase is said only when its signal
// held.

func reflectFOMO(f *features, pick uint64) string {
	e := &f.Ev
	var ps []string
	if e.RangePos != nil {
		window := f.spanAdj(intOr(f.Th.RangeBars, 24))
		switch {
		case *e.RangePos > 1:
			ps = append(ps, "above its "+window+" high")
		case *e.RangePos == 1:
			ps = append(ps, "at its "+window+" high")
		default:
			ps = append(ps, "in the top "+pct(1-*e.RangePos)+" of its "+window+" range")
		}
	}
	if f.has("extremeReturn") && e.PriorReturn != nil {
		ps = append(ps, move(*e.PriorReturn)+" over the previous "+f.span(intOr(f.Th.ReturnBars, 24)))
	}
	if f.has("abnormalVolume") && e.AbnormalVolume != nil {
		ps = append(ps, "on "+timesWord(*e.AbnormalVolume)+" its usual volume")
	}
	if f.has("stretched") {
		switch {
		case e.BandZ != nil && f.Th.BandK != nil && *e.BandZ >= *f.Th.BandK:
			ps = append(ps, "above its upper Bollinger band")
		case e.RSI != nil:
			ps = append(ps, "with RSI at "+num0(*e.RSI))
		}
	}
	ev := list(ps)
	return choose(pick,
		"You bought "+f.Symbol+" "+ev+". What was the plan for this entry?",
		"This "+f.Symbol+" buy came "+ev+". Was it a setup you had written down before the move?",
		f.Symbol+", bought "+ev+". What did you see in it at that moment?",
		"A look at this "+f.Symbol+" entry: "+ev+". What told you it was time to buy?",
		"You entered "+f.Symbol+" "+ev+". If the move had gone on without you, how would that have sat with you?",
		"Bought "+f.Symbol+" "+ev+". How did this entry compare with the ones you plan in advance?",
	)
}

func reflectPanic(f *features, pick uint64) string {
	e := &f.Ev
	var ps []string
	if e.Drawdown != nil {
		ps = append(ps, pct(*e.Drawdown)+" below its "+f.spanAdj(intOr(f.Th.RangeBars, 24))+" high")
	}
	if e.LossPct != nil {
		ps = append(ps, "down "+pct(*e.LossPct)+" on the position")
	}
	var stress []string
	if f.has("volSpike") && e.VolRatio != nil {
		stress = append(stress, "volatility at "+timesWord(*e.VolRatio)+" its usual")
	}
	if f.has("abnormalVolume") && e.AbnormalVolume != nil {
		stress = append(stress, "volume at "+timesWord(*e.AbnormalVolume)+" its usual")
	}
	if f.has("oversold") && e.RSI != nil {
		stress = append(stress, "RSI at "+num0(*e.RSI))
	}
	if f.has("belowBand") {
		stress = append(stress, "the price under its lower Bollinger band")
	}
	what := strings.Join(ps, ", ")
	if len(stress) > 0 {
		what += ", with " + list(stress)
	}
	return choose(pick,
		"You sold "+f.Symbol+" "+what+". Was this exit in your plan before the drop?",
		"This "+f.Symbol+" sell came "+what+". What were you weighing when you sold?",
		f.Symbol+" sold "+what+". Was this the level you had in mind when you bought?",
		"Looking at this "+f.Symbol+" exit: "+what+". What did your rules say about a move like this?",
		"A fast market in "+f.Symbol+": "+what+", and you sold. How did the decision feel at the time?",
	)
}

func reflectRevenge(f *features, pick uint64) string {
	e := &f.Ev
	if e.SizeRatio == nil || e.MinutesAfterLoss == nil {
		return ""
	}
	after := num0(*e.MinutesAfterLoss) + " minutes after closing "
	if e.LossSymbol != "" {
		after += e.LossSymbol + " "
	}
	after += "at a loss"
	if e.LossPct != nil {
		after += " (" + signed(*e.LossPct) + ")"
	}
	size := timesWord(*e.SizeRatio) + " your usual entry (the median of your last " + itoa(intOr(e.BaselineN, 0)) + ")"
	return choose(pick,
		upper(after)+", you bought "+f.Symbol+" at "+size+". Was this trade planned before that loss?",
		"This "+f.Symbol+" buy came "+after+", sized at "+size+". What went into the size?",
		upper(after)+", you entered "+f.Symbol+" at "+size+". What did you expect from it when you placed it?",
		"Timing and size on this "+f.Symbol+" buy: "+after+", at "+size+". How did you pick the size?",
	)
}

func reflectDiscipline(f *features, pick uint64) string {
	n := intOr(f.Ev.RulesChecked, 0)
	rules := itoa(n) + " of your rules"
	if n == 1 {
		rules = "your rule"
	}
	clear := f.Ev.ClearOf
	if len(clear) == 0 {
		clear = []string{"FOMO", "REVENGE"}
		if f.Side == "SELL" {
			clear = []string{"PANIC"}
		}
	}
	clean := "no " + strings.Join(clear, " or ") + " signal"
	return choose(pick,
		"This "+f.Symbol+" trade followed "+rules+", with "+clean+". Nice work.",
		"Clean one: "+f.Symbol+", "+rules+" followed and "+clean+". How did it feel to trade it this way?",
		"You stuck to "+rules+" on this "+f.Symbol+" trade, "+clean+". Steady.",
		"Good process on "+f.Symbol+": "+rules+" respected, "+clean+". Whatever the result, that's a trade to learn from.",
		upper(rules)+", kept on this "+f.Symbol+" trade, and "+clean+". That's the plan working as written.",
		"On plan with "+f.Symbol+": "+rules+" checked and kept, "+clean+". What made this one easy to follow?",
		f.Symbol+", by the book: "+rules+" followed, "+clean+". Worth remembering what this setup looked like.",
		"Nicely done on "+f.Symbol+": "+rules+" kept and "+clean+".",
	)
}

// reflectDisposition speaks of a per-trade DISPOSITION tag stored under an earlier definition
// version; the scorer no longer issues them (the account windows replace them).
func reflectDisposition(f *features, pick uint64) string {
	e := &f.Ev
	gains, losses := intOr(e.RG, 0)+intOr(e.PG, 0), intOr(e.RL, 0)+intOr(e.PL, 0)
	if need := f.minEvents(); gains < need || losses < need {
		return tooEarly("which positions you sell first", itoa(gains)+" gains and "+itoa(losses)+" losses at your decision points", need, pick)
	}
	if e.PGR == nil || e.PLR == nil || e.GainPct == nil {
		return ""
	}
	rates := "across " + itoa(intOr(e.Moments, 0)) + " decision points you had sold " + pct(*e.PGR) +
		" of the gains you held and " + pct(*e.PLR) + " of the losses"
	sold := f.Symbol + " at a " + pct(*e.GainPct) + " gain"
	if e.PaperLoser != "" && e.PaperLoserPct != nil {
		sold += " while holding " + e.PaperLoser + " down " + pct(*e.PaperLoserPct)
	}
	return choose(pick,
		"You sold "+sold+". At that point, "+rates+". How do you choose which holding to sell?",
		"Taking profit on "+sold+". At that point, "+rates+". What goes into picking what to sell?",
		"You sold "+sold+". The counts then: "+rates+". What did you have in mind for each holding?",
	)
}

// reflectOvertrading speaks of the window the definition measured (2026.3: the orders of the last
// windowHours, windowTrades of them) and of the day's count beside the trader's usual day; a tag
// of an earlier definition, whose evidence has no window (2026.2 counted the calendar day), is
// spoken of by its day.
func reflectOvertrading(f *features, pick uint64) string {
	e := &f.Ev
	days := intOr(e.BaselineDays, 0)
	if need := max(MinTrendEvents, intOr(f.Th.MinDays, 0)); days < need {
		return tooEarly("your trading pace", itoa(days)+" earlier active days", need, pick)
	}
	if e.DayTrades == nil || e.BaselineMedian == nil || e.Ratio == nil {
		return ""
	}
	n := *e.DayTrades
	usual := "your usual active day has " + num1(*e.BaselineMedian) + " (the median of your last " + itoa(days) + ")"
	if e.WindowTrades != nil && e.WindowHours != nil && *e.WindowHours > 0 {
		w, span := *e.WindowTrades, hoursSpan(*e.WindowHours)
		return choose(pick,
			"This was your "+ordinal(w)+" trade in the last "+span+", and your "+ordinal(n)+" on "+e.Day+"; "+usual+". What's on your list for the rest of the day?",
			itoa(w)+" trades in the last "+span+" ("+itoa(n)+" so far on "+e.Day+"), against your usual "+num1(*e.BaselineMedian)+
				" in a whole day over your last "+itoa(days)+" active days. Which of them were setups you had planned?",
			"Counting the last "+span+": "+itoa(w)+" trades, "+itoa(n)+" on "+e.Day+" so far, where "+usual+". How is the session going for you?",
			itoa(w)+" trades in the last "+span+", "+itoa(n)+" on "+e.Day+"; "+usual+". What's different about this stretch?",
		)
	}
	return choose(pick,
		"This was your "+ordinal(n)+" trade on "+e.Day+"; "+usual+". What's on your list for the rest of the day?",
		itoa(n)+" trades so far on "+e.Day+", "+timesWord(*e.Ratio)+" your usual "+num1(*e.BaselineMedian)+
			" a day over your last "+itoa(days)+" active days. Which of them were setups you had planned?",
		"Counting the day: "+itoa(n)+" trades on "+e.Day+", where "+usual+". How is the day going for you?",
		itoa(n)+" trades on "+e.Day+" so far; "+usual+". What's different about today?",
	)
}

// hoursSpan writes a span of h hours as a trader says it: "2 hours", "1 hour", "1.5 hours",
// "30 minutes".
func hoursSpan(h float64) string {
	switch {
	case h == 1:
		return "hour"
	case h < 1:
		m := math.Round(h * 60)
		if m == 1 {
			return "minute"
		}
		return num0(m) + " minutes"
	case h == math.Trunc(h):
		return num0(h) + " hours"
	}
	return num1(h) + " hours"
}

// reflectLossChasing speaks of a per-trade LOSS_CHASING tag stored under an earlier definition
// version; the scorer no longer issues them (the account windows replace them).
func reflectLossChasing(f *features, pick uint64) string {
	e := &f.Ev
	nl, nw := intOr(e.AfterLoss, 0), intOr(e.AfterGain, 0)
	if need := f.minEvents(); nl < need || nw < need {
		return tooEarly("your sizing after a result", itoa(nl)+" entries after a loss and "+itoa(nw)+" after a gain", need, pick)
	}
	if e.PLoss == nil || e.PGain == nil || e.SizeRatio == nil && e.BaselineMedian == nil {
		return ""
	}
	rates := "your first entry after a loss was above your median size " + pct(*e.PLoss) + " of the time, after a gain " +
		pct(*e.PGain) + " (" + itoa(nl) + " and " + itoa(nw) + " entries)"
	return choose(pick,
		"This "+f.Symbol+" buy came after a loss and was above your usual size. Up to then, "+rates+". How do you set the size of the trade after a result?",
		"A sizing note on "+f.Symbol+": up to this buy, "+rates+". What decides the size of your next entry?",
		"Up to this "+f.Symbol+" buy, "+rates+". This one came after a loss, above your usual size. Was the size set before the trade?",
	)
}

func reflectHoldingLosers(f *features, pick uint64) string {
	e := &f.Ev
	w, l := intOr(e.Winners, 0), intOr(e.Losers, 0)
	if need := f.minEvents(); w < need || l < need {
		return tooEarly("your hold times", itoa(w)+" winning and "+itoa(l)+" losing round trips", need, pick)
	}
	if e.HoldHours == nil || e.MeanWinnerHold == nil || e.Ratio == nil || e.TradeRatio == nil {
		return ""
	}
	this := "You held this " + f.Symbol + " losing trade " + num1(*e.HoldHours) + " hours, " + timesWord(*e.TradeRatio) +
		" as long as your average winning trade (" + num1(*e.MeanWinnerHold) + " hours)"
	overall := "across " + itoa(l) + " losing and " + itoa(w) + " winning trades, the losing ones lasted " +
		timesWord(*e.Ratio) + " as long"
	return choose(pick,
		this+". And "+overall+". How do you decide how long to stay in a trade?",
		this+"; "+overall+". What were you watching for in this one?",
		"Hold times: "+overall+". This "+f.Symbol+" trade lasted "+num1(*e.HoldHours)+" hours. When you enter, do you know how long you plan to hold?",
	)
}

// span says n bars of the tag's interval in the units a trader counts: "24 hours", "3 days",
// "90 minutes"; "n bars" when the interval is unknown.
func (f *features) span(n int) string {
	d := intervalMinutes(f.Conv.Interval) * n
	switch {
	case d <= 0:
		return plural(n, "bar", "bars")
	case d%(24*60) == 0 && d >= 2*24*60:
		return itoa(d/(24*60)) + " days"
	case d%60 == 0:
		return plural(d/60, "hour", "hours")
	}
	return plural(d, "minute", "minutes")
}

// spanAdj is span as an adjective: "24-hour", "3-day", "90-minute"; "24-bar" when the interval
// is unknown.
func (f *features) spanAdj(n int) string {
	d := intervalMinutes(f.Conv.Interval) * n
	switch {
	case d <= 0:
		return itoa(n) + "-bar"
	case d%(24*60) == 0 && d >= 2*24*60:
		return itoa(d/(24*60)) + "-day"
	case d%60 == 0:
		return itoa(d/60) + "-hour"
	}
	return itoa(d) + "-minute"
}

// intervalMinutes is the width of a candle interval in minutes, 0 when it is not one.
func intervalMinutes(iv string) int {
	switch iv {
	case "1m":
		return 1
	case "5m":
		return 5
	case "15m":
		return 15
	case "1h":
		return 60
	case "4h":
		return 240
	case "1d":
		return 24 * 60
	}
	return 0
}

// move says a return as a trader does: "up 9.8%", "down 3.1%".
func move(r float64) string {
	if r < 0 {
		return "down " + pct(r)
	}
	return "up " + pct(r)
}

// timesWord writes a ratio as "2.5 times" (never "2.5× longer", which would mean 3.5 times as
// long).
func timesWord(x float64) string { return num1(x) + " times" }

// ordinal writes 1st, 2nd, 3rd, 4th, 11th, 21st, ….
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return itoa(n) + suffix
}

// upper capitalizes the first letter of a sentence that starts with a phrase.
func upper(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
