package digest

import (
	"github.com/shopspring/decimal"
)

// noteShare is how far apart, as a share of the larger figure, a label's realized P/L and its
// simulation's delta may be before SimulationNote explains them.
var noteShare = decimal.RequireFromString("0.05")

// noteFloor is the smallest gap (in the quote asset) SimulationNote explains: under a cent the
// figures read the same.
var noteFloor = decimal.RequireFromString("0.01")

// SimulationNote explains, in one plain sentence naming both figures, why a label's realized P/L
// this week (realized) and a what-if simulation's delta (how much better the week would have
// ended without the label's trades) seem to disagree: the first is the realized P/L attributed to
// the week's closes of trades carrying the label, the second a counterfactual that also marks
// open positions at the week's end and replays the trades that followed. They agree when the
// delta recovers the realized P/L (delta = −realized); SimulationNote returns "" when they are
// within 5% of the larger figure or within 0.01 of each other, and a sentence otherwise. It is
// deterministic: the same figures give the same sentence.
func SimulationNote(label string, realized, delta decimal.Decimal, quote string) string {
	gap := delta.Add(realized).Abs()
	larger := decimal.Max(delta.Abs(), realized.Abs())
	if gap.LessThanOrEqual(noteFloor) || gap.LessThanOrEqual(larger.Mul(noteShare)) {
		return ""
	}
	return "The two figures answer different questions: " + signedMoney(realized.Round(2), clean(quote)) +
		" is the realized P/L of this week's closed trades labelled " + clip(clean(label), 32) +
		", while the what-if's " + signedMoney(delta.Round(2), clean(quote)) +
		" also marks open positions at the week's end and replays the trades that followed without them."
}

// suggestionNote is p's Suggestion.Note, or, for a payload stored before the field existed, the
// note SimulationNote gives for its figures.
func suggestionNote(p *Payload) string {
	s := p.Suggestion
	if s.Note != "" {
		return clean(s.Note)
	}
	if s.Kind != SuggestLabel || s.SimulationDelta == nil {
		return ""
	}
	return SimulationNote(s.Label, s.Evidence.Realized, *s.SimulationDelta, p.Quote)
}
