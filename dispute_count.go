package coach

import (
	"slices"
	"strings"
)

// LabelDisputes counts, for one label, the tags issued and how many of them traders disputed:
// a real-world precision signal beside the validation persona's figures. Only disputes attached
// to a tag count (see TagDispute): a dispute whose label a re-score dropped is in no count.
//
// Disputed/Tags is not a precision: most wrong labels are never disputed, and a dispute is the
// trader's view, not ground truth. It is a lower bound on the share of labels traders found
// wrong, to compare between labels and definition versions and to watch over time.
type LabelDisputes struct {
	Label string `json:"label"`
	// Tags counts the label's tags.
	Tags int `json:"tags"`
	// Disputed counts those with a dispute; Excluded those whose dispute also asks the digest to
	// leave the trade out of the label's attribution.
	Disputed int `json:"disputed"`
	Excluded int `json:"excluded"`
	// ByReason counts the disputed tags by TagDispute.Reason (only reasons with at least one).
	ByReason map[string]int `json:"byReason"`
}

// DisputedShare returns Disputed/Tags, and false when the label has no tags.
func (c LabelDisputes) DisputedShare() (float64, bool) {
	if c.Tags == 0 {
		return 0, false
	}
	return float64(c.Disputed) / float64(c.Tags), true
}

// CountDisputes counts tags and disputed tags per label, label order (byte order). A tag is
// disputed when a dispute of the same user names its trade and label (TagID may name an earlier
// revision). Every label of tags has an entry; disputes without a tag count nowhere. Tags and
// disputes of several users may be given together (a pooled count): they are matched within
// each user.
func CountDisputes(tags []BiasTag, disputes []TagDispute) []LabelDisputes {
	type key struct{ user, trade, label string }
	byKey := make(map[key]*TagDispute, len(disputes))
	for i := range disputes {
		d := &disputes[i]
		byKey[key{d.UserID, d.TradeID, d.Label}] = d
	}
	counts := make(map[string]*LabelDisputes)
	for i := range tags {
		g := &tags[i]
		c := counts[g.Label]
		if c == nil {
			c = &LabelDisputes{Label: g.Label, ByReason: map[string]int{}}
			counts[g.Label] = c
		}
		c.Tags++
		d := byKey[key{g.UserID, g.TradeID, g.Label}]
		if d == nil {
			continue
		}
		c.Disputed++
		c.ByReason[d.Reason]++
		if d.ExcludeFromAttribution {
			c.Excluded++
		}
	}
	out := make([]LabelDisputes, 0, len(counts))
	for _, c := range counts {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b LabelDisputes) int { return strings.Compare(a.Label, b.Label) })
	return out
}
