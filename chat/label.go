package chat

import (
	"regexp"
	"strings"

	"github.com/tradecoach/coach"
)

// labelPhrases are the ways an answer names each bias label, lower case, words separated by one
// space (the text is matched with '_' and '-' read as spaces). The longest phrase at a place
// wins, so "chasing losses" is LOSS_CHASING, never FOMO.
var labelPhrases = map[string][]string{
	coach.LabelFOMO:          {"fomo", "fear of missing out", "chasing the rally", "chased the rally", "chasing a rally", "chasing the pump", "chased the pump"},
	coach.LabelPanic:         {"panic", "panics", "panicked", "panicking", "panic sell", "panic sells", "panic selling", "panic sold", "panic sale", "panic sales", "sold in a panic"},
	coach.LabelRevenge:       {"revenge", "revenge trade", "revenge trades", "revenge trading", "revenge traded"},
	coach.LabelDiscipline:    {"discipline", "disciplined"},
	coach.LabelOvertrading:   {"overtrading", "over trading", "overtraded", "over traded", "overtrade", "trading too much", "traded too much", "too many trades"},
	coach.LabelDisposition:   {"disposition", "disposition effect", "selling winners too early", "sold winners too early", "selling your winners too early", "sold your winners too early"},
	coach.LabelLossChasing:   {"loss chasing", "chasing losses", "chased losses", "chasing your losses", "chased your losses", "chasing a loss", "chasing the loss", "sizing up after a loss", "sized up after a loss", "sizing up after losses", "sized up after losses"},
	coach.LabelHoldingLosers: {"holding losers", "held losers", "holding on to losers", "held on to losers", "holding onto losers", "held onto losers", "riding losers", "rode losers", "holding your losers", "held your losers", "holding losing positions", "held losing positions", "holding losing trades", "held losing trades", "held on to losing", "holding on to losing"},
}

// labelRE matches any phrase of labelPhrases, longest first, on word boundaries.
var labelRE, labelOf = func() (*regexp.Regexp, map[string]string) {
	of := map[string]string{}
	var all []string
	for l, ps := range labelPhrases {
		for _, p := range ps {
			of[p] = l
			all = append(all, p)
		}
	}
	// Longest first so the alternation prefers it; ties in a fixed order.
	sortLongestFirst(all)
	quoted := make([]string, len(all))
	for i, p := range all {
		quoted[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`\b(?:` + strings.Join(quoted, "|") + `)\b`), of
}()

// labelText returns s in lower case (ASCII only, so byte offsets stay) with '_' and '-' as
// spaces, and runs of spaces kept as they are.
func labelText(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case c == '_' || c == '-':
			b[i] = ' '
		}
	}
	return string(b)
}

// findLabels returns the labels named in s with their spans.
func findLabels(s string) []mention {
	var out []mention
	for _, m := range labelRE.FindAllStringIndex(labelText(s), -1) {
		phrase := labelText(s[m[0]:m[1]])
		out = append(out, mention{kind: KindLabel, value: labelOf[phrase], start: m[0], end: m[1], text: s[m[0]:m[1]]})
	}
	return out
}

func sortLongestFirst(ps []string) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && (len(ps[j]) > len(ps[j-1]) || len(ps[j]) == len(ps[j-1]) && ps[j] < ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}
