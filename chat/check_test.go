package chat

import (
	"slices"
	"testing"
	"time"
)

// TestCheckCatches: answers that say what the evidence does not, each caught for its reason.
func TestCheckCatches(t *testing.T) {
	ev := fixtureEvidence(t)
	for _, tc := range []struct {
		name, answer string
		kinds        []string // any of them
	}{
		{"invented number", "Your FOMO buy of BTC on 1 December came with the RSI at 91.", []string{KindNumber}},
		{"number of another trade", "The RSI on your ETH panic sale was 83.6.", []string{KindNumber}},
		{"swapped label on a trade", "Your panic sell of BTC on 1 December came with the RSI at 83.6.", []string{KindLabel, KindSymbol, KindNumber}},
		{"label the evidence lacks", "Loss chasing showed up in November.", []string{KindLabel}},
		{"label in words, swapped", "The fear of missing out on Thursday 3 December: RSI 24.7.", []string{KindLabel, KindDate, KindNumber}},
		{"invented trade", "T9 was a revenge trade.", []string{KindTrade}},
		{"trade of another label", "T1 was your revenge trade, 18 minutes after a loss.", []string{KindNumber}},
		{"invented symbol", "Your DOGE trades look like FOMO.", []string{KindSymbol}},
		{"symbol swapped", "You bought ETH at 97,250.5 on Tuesday.", []string{KindSymbol}},
		{"date with no fact", "On Wednesday 2 December you panicked.", []string{KindDate}},
		{"weekday that does not match", "On Monday 1 December you bought BTC.", []string{KindDate}},
		{"no such day", "On 31 November you sold.", []string{KindDate}},
		{"percent of a count", "You made 37% of your trades on Saturday.", []string{KindNumber}},
		{"hedge too loose", "You held ETH for about 290 hours.", []string{KindNumber}},
		{"buy order", "Buy BTC now while it is cheap.", []string{KindAdvice}},
		{"sell advice", "You should sell your ETH before it drops further.", []string{KindAdvice}},
		{"recommendation", "I'd consider adding to SOL here.", []string{KindAdvice}},
		{"month with no fact", "In August your disposition effect was 0.39.", []string{KindDate}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := Check(tc.answer, ev.Facts, &ev)
			for _, v := range rep.Violations {
				if slices.Contains(tc.kinds, v.Kind) {
					return
				}
			}
			t.Errorf("Check(%q) = %v, want a violation of kind %v", tc.answer, rep.Violations, tc.kinds)
		})
	}
}

// TestCheckPasses: the coach's own ways of speaking are not violations.
func TestCheckPasses(t *testing.T) {
	ev := fixtureEvidence(t)
	for _, answer := range []string{
		"What made you sell ETH on Thursday?",
		"How did the BTC entry on Tuesday fit your plan?",
		"I can't tell from your evidence why that happened.",
		"The revenge trade T3 in SOL came 18 minutes after a loss on ETH. What were you feeling then?",
	} {
		if rep := Check(answer, ev.Facts, &ev); !rep.OK() {
			t.Errorf("Check(%q) = %v, want no violation", answer, rep.Violations)
		}
	}
}

// TestCheckRelativeDatesNeedANow: "last Tuesday" is resolved against the evidence's Now, and
// without one it cannot be checked and is refused.
func TestCheckRelativeDatesNeedANow(t *testing.T) {
	ev := fixtureEvidence(t)
	if rep := Check("Last Tuesday you bought BTC.", ev.Facts, &ev); !rep.OK() {
		t.Fatalf("with Now: %v", rep.Violations)
	}
	ev.Now = time.Time{}
	rep := Check("Last Tuesday you bought BTC.", ev.Facts, &ev)
	if rep.OK() || rep.Violations[0].Kind != KindDate {
		t.Fatalf("without Now: %v, want a date violation", rep.Violations)
	}
}
