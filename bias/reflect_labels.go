package bias

import "strings"

// The reflections of each label. Every number in them comes from the tag's features; a phrase is
// said only when its signal held.

func reflectFOMO(f *features, pick uint64) string {
	e := &f.Ev
	var ps []string
	if e.RangePos != nil {
		bars := itoa(intOr(f.Th.RangeBars, 24))
		if *e.RangePos > 1 {
			ps = append(ps, "above its "+bars+"-bar high")
		} else {
			ps = append(ps, "at "+pct(*e.RangePos)+" of its "+bars+"-bar range")
		}
	}
	if f.has("extremeReturn") && e.PriorReturn != nil {
		ps = append(ps, "after a "+signed(*e.PriorReturn)+" run over "+itoa(intOr(f.Th.ReturnBars, 24))+" bars")
	}
	if f.has("abnormalVolume") && e.AbnormalVolume != nil {
		ps = append(ps, "on "+times(*e.AbnormalVolume)+" normal volume")
	}
	if f.has("stretched") {
		switch {
		case e.BandZ != nil && f.Th.BandK != nil && *e.BandZ >= *f.Th.BandK:
			ps = append(ps, "above the upper Bollinger band")
		case e.RSI != nil:
			ps = append(ps, "with RSI at "+num0(*e.RSI))
		}
	}
	ev := list(ps)
	return choose(pick,
		"You bought "+f.Symbol+" "+ev+". That's the chase pattern. What did your plan say about entries after a move like that?",
		"This "+f.Symbol+" buy came "+ev+". Chasing feels urgent in the moment; next time, try letting one more candle close first.",
		"Noticing a chase: "+f.Symbol+", bought "+ev+". No judgment, just the numbers. Was this your setup, or the move pulling you in?",
		"Heads up: you bought "+f.Symbol+" "+ev+". Entries like this often land near the top of the excitement. What made it feel urgent?",
		"Quick look at this "+f.Symbol+" entry: "+ev+". If waiting had meant missing it, would that have been okay?",
		f.Symbol+" entry "+ev+". That's buying the attention, not the plan. Worth a pause before the next one?",
	)
}

func reflectPanic(f *features, pick uint64) string {
	e := &f.Ev
	var ps []string
	if e.Drawdown != nil {
		ps = append(ps, pct(*e.Drawdown)+" below its recent high")
	}
	if e.LossPct != nil {
		ps = append(ps, "down "+pct(*e.LossPct)+" on the position")
	}
	var stress []string
	if f.has("volSpike") && e.VolRatio != nil {
		stress = append(stress, "volatility at "+times(*e.VolRatio)+" its usual")
	}
	if f.has("abnormalVolume") && e.AbnormalVolume != nil {
		stress = append(stress, times(*e.AbnormalVolume)+" normal volume")
	}
	if f.has("oversold") && e.RSI != nil {
		stress = append(stress, "RSI at "+num0(*e.RSI))
	}
	if f.has("belowBand") {
		stress = append(stress, "price under the lower Bollinger band")
	}
	what := strings.Join(ps, ", ")
	if len(stress) > 0 {
		what += ", with " + list(stress)
	}
	return choose(pick,
		"You sold "+f.Symbol+" "+what+". That looks like selling into the fear. Was the exit in your plan, or did the drop make the call?",
		"This "+f.Symbol+" sell came "+what+". Sharp drops are hard to sit through. What would your rules have said here?",
		"Selling "+f.Symbol+" "+what+" is the panic pattern. Sometimes it's the right stop; check whether it was yours.",
		"Noticing a fast exit: "+f.Symbol+", "+what+". Before the next one, what level did you plan to exit at?",
		"That "+f.Symbol+" exit was "+what+". Take a breath. What did you feel right before clicking sell?",
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
	size := times(*e.SizeRatio) + " the median of your last " + itoa(intOr(e.BaselineN, 0)) + " entries"
	return choose(pick,
		after+", you bought "+f.Symbol+" at "+size+". That's the win-it-back urge. What would a cool-down have changed?",
		"This "+f.Symbol+" buy came "+after+", sized at "+size+". Losses sting; bigger size right after is how they snowball.",
		"Noticing a pattern in the timing: "+after+", you entered "+f.Symbol+" at "+size+". Was this trade planned before the loss?",
		"You sized up to "+size+" on "+f.Symbol+", "+after+". Try a rule: after a loss, the next entry is normal size or smaller.",
	)
}

func reflectDiscipline(f *features, pick uint64) string {
	n := intOr(f.Ev.RulesChecked, 0)
	rules := itoa(n) + " of your rules"
	if n == 1 {
		rules = "your rule"
	}
	clean := "no sign of chasing or revenge"
	if f.Side == "SELL" {
		clean = "no sign of a panic exit"
	}
	return choose(pick,
		"This "+f.Symbol+" trade followed "+rules+", with "+clean+". That's the work. Keep stacking these.",
		"Clean one: "+f.Symbol+", "+rules+" followed and "+clean+". Notice how it felt to trade this way.",
		"You stuck to "+rules+" on this "+f.Symbol+" trade, "+clean+". Boring is good here.",
		"Good process on "+f.Symbol+": "+rules+" respected, "+clean+". Whatever the result, this is the trade to repeat.",
	)
}

func reflectDisposition(f *features, pick uint64) string {
	e := &f.Ev
	gains, losses := intOr(e.RG, 0)+intOr(e.PG, 0), intOr(e.RL, 0)+intOr(e.PL, 0)
	if need := f.minEvents(); gains < need || losses < need {
		return tooEarly("selling winners early", itoa(gains)+" gains and "+itoa(losses)+" losses at your decision points", need, pick)
	}
	if e.PGR == nil || e.PLR == nil || e.T == nil || e.GainPct == nil {
		return ""
	}
	rates := "you've realized " + pct(*e.PGR) + " of gains but " + pct(*e.PLR) + " of losses across " +
		itoa(intOr(e.Moments, 0)) + " decision points (t = " + num1(*e.T) + ")"
	sold := f.Symbol + " at a " + pct(*e.GainPct) + " gain"
	if e.PaperLoser != "" && e.PaperLoserPct != nil {
		sold += " while holding " + e.PaperLoser + " down " + pct(*e.PaperLoserPct)
	}
	return choose(pick,
		"You sold "+sold+". So far "+rates+". Winners get cut, losers get kept. Is that what you intend?",
		"Taking profit on "+sold+" fits a pattern: "+rates+". What's your plan for the loser?",
		"You sold "+sold+". The numbers: "+rates+". Worth asking which position you avoid looking at.",
	)
}

func reflectOvertrading(f *features, pick uint64) string {
	e := &f.Ev
	days := intOr(e.BaselineDays, 0)
	if need := max(MinTrendEvents, intOr(f.Th.MinDays, 0)); days < need {
		return tooEarly("your trading pace", itoa(days)+" earlier active days", need, pick)
	}
	if e.DayTrades == nil || e.BaselineMedian == nil || e.Ratio == nil {
		return ""
	}
	what := itoa(*e.DayTrades) + " trades on " + e.Day + ", " + times(*e.Ratio) + " your median of " +
		num1(*e.BaselineMedian) + " a day over your last " + itoa(days) + " active days"
	return choose(pick,
		"That's "+what+". Every trade pays fees and asks for a decision. Is the next one in your plan?",
		"Busy day: "+what+". When the pace picks up like this, a short break often helps more than another trade.",
		"Noticing the pace: "+what+". What's driving it today, setups or restlessness?",
		what+". More trades isn't more edge. Which of today's were A setups?",
	)
}

func reflectLossChasing(f *features, pick uint64) string {
	e := &f.Ev
	nl, nw := intOr(e.AfterLoss, 0), intOr(e.AfterGain, 0)
	if need := f.minEvents(); nl < need || nw < need {
		return tooEarly("sizing up after losses", itoa(nl)+" entries after a loss and "+itoa(nw)+" after a gain", need, pick)
	}
	if e.PLoss == nil || e.PGain == nil || e.SizeRatio == nil && e.BaselineMedian == nil {
		return ""
	}
	rates := "after a loss your next entry was bigger than your median " + pct(*e.PLoss) + " of the time, after a win " +
		pct(*e.PGain) + " (" + itoa(nl) + " and " + itoa(nw) + " entries)"
	return choose(pick,
		"This "+f.Symbol+" buy followed a loss and was above your usual size. Overall, "+rates+". Losses seem to push your size up.",
		"A pattern worth seeing: "+rates+". This "+f.Symbol+" entry is one of them. What size rule would protect you here?",
		"Bigger after a loss again on "+f.Symbol+". So far "+rates+". Try fixing your size before you look at the last result.",
	)
}

func reflectHoldingLosers(f *features, pick uint64) string {
	e := &f.Ev
	w, l := intOr(e.Winners, 0), intOr(e.Losers, 0)
	if need := f.minEvents(); w < need || l < need {
		return tooEarly("holding losers", itoa(w)+" winning and "+itoa(l)+" losing round trips", need, pick)
	}
	if e.HoldHours == nil || e.MeanWinnerHold == nil || e.Ratio == nil || e.TradeRatio == nil {
		return ""
	}
	this := "You held this " + f.Symbol + " loser " + num1(*e.HoldHours) + "h, " + times(*e.TradeRatio) +
		" your average winner (" + num1(*e.MeanWinnerHold) + "h)"
	overall := "across " + itoa(l) + " losers and " + itoa(w) + " winners, losers stay " + times(*e.Ratio) + " longer"
	return choose(pick,
		this+". And "+overall+". Hoping a loser comes back is expensive. Where was your exit?",
		this+"; "+overall+". What would it take to close a loser as fast as you close a winner?",
		"Noticing the hold times: "+overall+". This "+f.Symbol+" trade was "+num1(*e.HoldHours)+"h. Set the stop when you enter.",
	)
}
