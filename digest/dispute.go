package digest

import (
	"slices"
	"time"

	"github.com/tradecoach/coach"
)

// attributionOf returns the labels each trade key is attributed P/L for: its labels (labels, from
// labelIndex) less those the trader excluded, a dispute with ExcludeFromAttribution naming the
// trade and the label. Keys without an exclusion share labels' slices; the function returned
// answers nil for a key without labels, as labelsOf does.
func attributionOf(labels map[string][]string, disputes []coach.TagDispute) func(string) []string {
	excluded := exclusions(disputes)
	if len(excluded) == 0 {
		return func(key string) []string { return labels[key] }
	}
	attr := make(map[string][]string, len(excluded))
	for key, out := range excluded {
		ls := labels[key]
		kept := make([]string, 0, len(ls))
		for _, l := range ls {
			if !slices.Contains(out, l) {
				kept = append(kept, l)
			}
		}
		attr[key] = kept
	}
	return func(key string) []string {
		if ls, ok := attr[key]; ok {
			return ls
		}
		return labels[key]
	}
}

// exclusions maps each trade id to the labels its trader excluded from attribution.
func exclusions(disputes []coach.TagDispute) map[string][]string {
	var m map[string][]string
	for _, d := range disputes {
		if !d.ExcludeFromAttribution {
			continue
		}
		if m == nil {
			m = make(map[string][]string)
		}
		if !slices.Contains(m[d.TradeID], d.Label) {
			m[d.TradeID] = append(m[d.TradeID], d.Label)
		}
	}
	return m
}

// noteExclusions sets Bucket.Excluded of each label, in PnLByBias and in InCurrency's: how many of
// the week's fills carrying the label the trader excluded from its attribution. hist are the
// trades up to the end of the week, start the week's first instant.
func (p *Payload) noteExclusions(hist []coach.Trade, start time.Time, labelsOf, attrOf func(string) []string) {
	for i := range hist {
		t := &hist[i]
		if t.TS.Before(start) {
			continue
		}
		ls, kept := labelsOf(t.Ref()), attrOf(t.Ref())
		if len(ls) == len(kept) {
			continue
		}
		for _, l := range ls {
			if slices.Contains(kept, l) {
				continue
			}
			b := p.PnLByBias[l]
			b.Excluded++
			p.PnLByBias[l] = b
			if c := p.InCurrency; c != nil {
				b := c.PnLByBias[l]
				b.Excluded++
				c.PnLByBias[l] = b
			}
		}
	}
}
