package digest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tradecoach/coach/digest"
)

func TestSimulationNoteOnlyWhenTheFiguresDiffer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name            string
		realized, delta string
		want            []string // "" when no sentence is wanted
	}{
		{"issue 18: a small realized loss, a large what-if", "-4.37", "242.09", []string{"-4.37 USDT", "+242.09 USDT", "labelled FOMO", "open positions at the week's end", "trades that followed"}},
		{"a gain the what-if would still have beaten", "17.758666666667", "5", []string{"+17.76 USDT", "+5.00 USDT"}},
		{"the what-if recovers exactly the realized loss", "-4.37", "4.37", nil},
		{"within a cent", "-4.37", "4.375", nil},
		{"within 5% of the larger figure", "-100", "104.99", nil},
		{"just beyond 5%", "-100", "105.30", []string{"-100.00 USDT", "+105.30 USDT"}},
		{"nothing realized, a what-if gain", "0", "12", []string{" 0.00 USDT", "+12.00 USDT"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := digest.SimulationNote("FOMO", dec(tc.realized), dec(tc.delta), "USDT")
			if tc.want == nil {
				if got != "" {
					t.Errorf("note %q for figures that agree", got)
				}
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("note %q lacks %q", got, w)
				}
			}
			if strings.Count(got, ". ") > 0 || !strings.HasSuffix(got, ".") || strings.Contains(got, "\n") {
				t.Errorf("note %q is not one sentence", got)
			}
			if again := digest.SimulationNote("FOMO", dec(tc.realized), dec(tc.delta), "USDT"); again != got {
				t.Errorf("not deterministic: %q then %q", got, again)
			}
		})
	}
}

// TestDigestExplainsADeltaThatDisagreesWithRealized builds the Berlin week with a simulation of
// REVENGE (whose trades realized -2.02 USDT) and reads the text every host shows.
func TestDigestExplainsADeltaThatDisagreesWithRealized(t *testing.T) {
	t.Parallel()
	trades, tags := berlinWeek(t)
	build := func(delta string) digest.Payload {
		return mustBuild(t, digest.Input{User: berlin(), Week: w10, Trades: trades, Tags: tags,
			Simulations: []digest.SimOutcome{{Scenario: "skipLabel", Label: "REVENGE", Delta: dec(delta)}}})
	}

	disagree := build("242.09")
	if s := disagree.Suggestion; s.Label != "REVENGE" || s.SimulationDelta == nil || !s.Evidence.Realized.Equal(dec("-2.018")) {
		t.Fatalf("the suggestion does not cite REVENGE's simulation: %+v", s)
	}
	note := disagree.Suggestion.Note
	for _, w := range []string{"-2.02 USDT", "+242.09 USDT", "REVENGE"} {
		if !strings.Contains(note, w) {
			t.Errorf("note %q lacks %q", note, w)
		}
	}
	text, err := digest.RenderText(disagree)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, note) || !strings.Contains(text, "What-if simulation (skipLabel): +242.09 USDT") {
		t.Errorf("text lacks the note beside the what-if:\n%s", text)
	}
	html, err := digest.RenderHTML(disagree)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "242.09 USDT also marks open positions at the week&#39;s end") {
		t.Errorf("HTML report lacks the note")
	}
	js, _ := json.Marshal(disagree)
	if !strings.Contains(string(js), `"note":"The two figures`) {
		t.Errorf("payload JSON lacks note: %s", js)
	}

	// A payload stored before the note existed still shows it.
	old := disagree
	old.Suggestion.Note = ""
	if text, _ := digest.RenderText(old); !strings.Contains(text, note) {
		t.Errorf("text of a payload without note lacks it:\n%s", text)
	}

	agree := build("2.02")
	if agree.Suggestion.Note != "" {
		t.Errorf("note %q when the what-if recovers the realized loss", agree.Suggestion.Note)
	}
	text, err = digest.RenderText(agree)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "different questions") {
		t.Errorf("text explains figures that agree:\n%s", text)
	}
	if js, _ := json.Marshal(agree); strings.Contains(string(js), `"note"`) {
		t.Errorf("payload JSON has a note when the figures agree: %s", js)
	}
}
