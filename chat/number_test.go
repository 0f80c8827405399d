package chat

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseNumbers(t *testing.T) {
	type n struct {
		Text    string
		Value   float64
		Percent bool
		Hedged  bool
		Tol     float64
	}
	for _, tc := range []struct {
		in   string
		want []n
	}{
		{"1,234.5", []n{{"1,234.5", 1234.5, false, false, 0.05}}},
		{"a loss of −3% today", []n{{"−3%", -3, true, false, 0.5}}},
		{"down -3.25 %", []n{{"-3.25 %", -3.25, true, false, 0.005}}},
		{"1.2k and 3.4M", []n{{"1.2k", 1200, false, false, 50}, {"3.4M", 3.4e6, false, false, 50000}}},
		{"0.45× its size", []n{{"0.45", 0.45, false, false, 0.005}}},
		{"4.1x", []n{{"4.1", 4.1, false, false, 0.05}}},
		{"about 250 hours", []n{{"250", 250, false, true, 12.5}}},
		{"roughly 97.3k", []n{{"97.3k", 97300, false, true, 4865}}},
		{"~12%", []n{{"12%", 12, true, true, 0.6}}},
		{"$3,412.25 and -$45", []n{{"$3,412.25", 3412.25, false, false, 0.005}, {"-$45", -45, false, false, 0.5}}},
		{"twelve trades, a dozen tags", []n{{"twelve", 12, false, false, 0.5}, {"a dozen", 12, false, false, 0.5}}},
		{"12 percent", []n{{"12 percent", 12, true, false, 0.5}}},
		{"2 million", []n{{"2 million", 2e6, false, false, 5e5}}},
		{"the 3rd trade", []n{{"3rd", 3, false, false, 0.5}}},
		{"a 24-hour high", []n{{"24", 24, false, false, 0.5}}},
		{"T3 and BTC2 are not numbers", nil},
		{"one of them", nil},
		{".5 of a point", []n{{".5", 0.5, false, false, 0.05}}},
		{"1,23 is not grouped", []n{{"1", 1, false, false, 0.5}, {"23", 23, false, false, 0.5}}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var got []n
			for _, x := range ParseNumbers(tc.in) {
				got = append(got, n{x.Text, x.Value, x.Percent, x.Hedged, x.Tolerance})
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("ParseNumbers(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// FuzzParseNumbers: any text parses without panicking, every number's span is within the text
// and reads back as its Text, and values and tolerances are finite and not negative.
func FuzzParseNumbers(f *testing.F) {
	for _, s := range []string{"1,234.5", "−3%", "1.2k", "0.45×", "about 250", "$-4", "twelve", "9" + string(rune(0x2212)), "1e308 1e309", "\xff1.2", "....5", "-.5%", "99999999999999999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range ParseNumbers(s) {
			if n.Start < 0 || n.End > len(s) || n.Start > n.End || s[n.Start:n.End] != n.Text {
				t.Fatalf("%q: span [%d,%d) does not hold %q", s, n.Start, n.End, n.Text)
			}
			if math.IsNaN(n.Value) || math.IsNaN(n.Tolerance) || n.Tolerance < 0 {
				t.Fatalf("%q: value %v tolerance %v", s, n.Value, n.Tolerance)
			}
		}
	})
}

// FuzzCheck: the checker never panics, and what it reports quotes the answer.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"On Tuesday 1 December you bought BTC at 97,250.5.", "Sell ETH now!", "last Friday T9 #3 1.2k −3%",
		"30 February", "Monday 1 December", "in May 2026", "\x00\xff", "FOMO panic revenge BTC-USDT 2026-13-45"} {
		f.Add(s)
	}
	ev := fixtureEvidence(f)
	f.Fuzz(func(t *testing.T, s string) {
		rep := Check(s, ev.Facts, &ev)
		for _, v := range rep.Violations {
			if utf8.ValidString(s) && !containsLoose(s, v.Text) {
				t.Fatalf("%q: violation text %q is not in the answer", s, v.Text)
			}
		}
		Check(s, nil, nil)
	})
}

// containsLoose reports whether the answer holds text (sentences are trimmed of white space).
func containsLoose(s, text string) bool {
	return strings.Contains(s, text)
}
