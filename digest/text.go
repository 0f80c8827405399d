package digest

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"
)

// RenderText renders p as plain text for a reader without HTML (an email's text part): the week,
// its trades, realized P/L and fees, the suggestion (with the sentence that explains its
// simulation's delta beside the label's realized P/L when they differ, see SimulationNote), the labels with the P/L attributed to them,
// the rules with their streaks, the comparison with the previous week and what the figures
// could not account for. It states the payload's figures and nothing more: no trend is named
// that the suggestion does not name, a week too thin for trends says so, and a week without
// trades says that instead of showing zeros. Control characters in the payload's texts are
// written as spaces, so a tampered label cannot forge lines. A payload with an amount out of
// range (see ParsePayload) is EINVALID.
func RenderText(p Payload) (string, error) {
	if err := p.checkAmounts(); err != nil {
		return "", err
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	money := func(d decimal.Decimal) string { return signedMoney(d, clean(p.Quote)) }

	line("Weekly digest %s", clean(p.Week))
	period := fmt.Sprintf("%s to %s (%s)", p.PeriodStart, p.PeriodEnd, clean(p.TimeZone))
	if p.Quote != "" {
		period += ", amounts in " + clean(p.Quote)
	}
	line("%s", period)
	line("")
	if p.TradeCount == 0 {
		line("No trades this week.")
	} else {
		line("Trades: %d on %s", p.TradeCount, count(p.ActiveDays, "day", "days"))
		line("Realized P/L: %s from %s", money(p.Realized), count(p.Closes, "closing trade", "closing trades"))
		line("Fees: %s", strings.TrimSpace(p.Fees.StringFixed(2)+" "+clean(p.Quote)))
	}

	line("")
	line("Suggestion")
	line("%s", clean(p.Suggestion.Text))
	if d := p.Suggestion.SimulationDelta; d != nil {
		line("What-if simulation (%s): %s", clean(p.Suggestion.Scenario), money(*d))
		if n := suggestionNote(&p); n != "" {
			line("%s", n)
		}
	}
	if p.DataQuality.Insufficient {
		reasons := make([]string, len(p.DataQuality.Reasons))
		for i, r := range p.DataQuality.Reasons {
			reasons[i] = clean(r)
		}
		line("Too little data this week to speak of trends: %s.", strings.Join(reasons, "; "))
	}
	if p.Account != nil {
		line("")
		line("Your account last month")
		for _, r := range p.Account.Reflections {
			line("%s", clean(r.Text))
		}
		if len(p.Account.Reflections) == 0 {
			line("Neither the disposition effect nor loss chasing stands out in the last month, once each position counts once.")
		}
	}

	if len(p.PnLByBias) > 0 {
		line("")
		line("Labels (trades carrying each label, and the realized P/L attributed to it)")
		for _, l := range sortedKeys(p.PnLByBias) {
			bk := p.PnLByBias[l]
			line("- %s: %s, %s", clean(l), count(bk.Trades, "trade", "trades"), money(bk.Realized))
		}
		line("- any label: %s, %s", count(p.Labelled.Trades, "trade", "trades"), money(p.Labelled.Realized))
		line("- no label: %s, %s", count(p.Unlabelled.Trades, "trade", "trades"), money(p.Unlabelled.Realized))
		line("A trade with two labels counts under both; \"any label\" and \"no label\" add up to the week's realized P/L.")
	}

	if len(p.RuleViolations) > 0 {
		line("")
		line("Rules")
		for _, v := range p.RuleViolations {
			line("- %s: broken %d of %d checked%s", clean(v.Kind), v.Count, v.Checked, undecided(v.Undecided))
		}
	}
	if s := p.Streaks; s != nil {
		line("Streak of trades within your rules: %d (best %d); of days: %d (best %d)",
			s.Overall.CurrentTrades, s.Overall.BestTrades, s.Overall.CurrentDays, s.Overall.BestDays)
	}

	if c := p.VsPreviousWeek; c != nil {
		line("")
		line("Compared with %s", clean(c.Week))
		line("- trades: %s; active days: %s; rules broken: %s", delta(c.TradeCount), delta(c.ActiveDays), delta(c.RuleViolations))
		if c.Realized != nil {
			line("- realized P/L: %s", money(*c.Realized))
		}
		for _, l := range sortedKeys(c.CountsByBias) {
			line("- orders labelled %s: %s", clean(l), delta(c.CountsByBias[l]))
		}
	}

	if notes := qualityNotes(p.DataQuality); len(notes) > 0 {
		line("")
		line("What the figures leave out")
		for _, n := range notes {
			line("- %s", n)
		}
	}
	return b.String(), nil
}

// qualityNotes lists the data-quality counts that are not zero, in words.
func qualityNotes(q DataQuality) []string {
	var out []string
	for _, n := range []struct {
		count      int
		one, other string
	}{
		{q.UnknownFees, "fill without a reported fee (counted as zero)", "fills without a reported fee (counted as zero)"},
		{q.UnvaluedFees, "fee in a third asset, not in the fee total", "fees in a third asset, not in the fee total"},
		{q.UncoveredSells, "sell beyond the holdings the history shows (no P/L for the excess)", "sells beyond the holdings the history shows (no P/L for the excess)"},
		{q.LedgerErrors, "fill the ledger could not take in full", "fills the ledger could not take in full"},
		{q.OtherQuoteTrades, "fill in another quote asset, in no money figure", "fills in another quote asset, in no money figure"},
		{q.UnattributedCloses, "close whose entries could not be traced", "closes whose entries could not be traced"},
	} {
		if n.count > 0 {
			out = append(out, count(n.count, n.one, n.other))
		}
	}
	return out
}

// count writes n with the word for one or for other amounts.
func count(n int, one, other string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, other)
}

func undecided(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d undecided", n)
}

func delta(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	return fmt.Sprint(n)
}

// clean writes every control character of s (line breaks included) as a space.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
