package validate

import (
	"context"
	"fmt"
	"strings"

	"github.com/tradecoach/coach"
)

// DisputeCounter gives per-label counts of tags and disputed tags: storage.Disputes does, over
// one user (LabelCounts) or every user of a deployment (PooledLabelCounts).
type DisputeCounter interface {
	PooledLabelCounts(ctx context.Context) ([]coach.LabelDisputes, error)
}

// RealWorldDisputes reads the pooled per-label dispute counts of a deployment's store and writes
// them as a Markdown table (DisputesMarkdown): the real-world precision signal beside the
// persona's figures. where names the deployment and period in the table's heading.
func RealWorldDisputes(ctx context.Context, c DisputeCounter, where string) (string, error) {
	counts, err := c.PooledLabelCounts(ctx)
	if err != nil {
		return "", err
	}
	return DisputesMarkdown(counts, where), nil
}

// DisputesMarkdown writes per-label dispute counts (coach.CountDisputes, storage.Disputes) as a
// Markdown table: tags, disputed tags and their share, those excluded from digest attribution,
// and the disputes by reason. The share is a lower bound on the labels traders found wrong, not
// a precision (see coach.LabelDisputes). It is kept apart from the persona's section of
// bias/DEFINITIONS.md, which a fresh run must reproduce: a deployment's counts change every day.
// The same counts give the same text.
func DisputesMarkdown(counts []coach.LabelDisputes, where string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("#### Disputed labels, %s\n\n", where)
	p("| label | tags | disputed | share | excluded from attribution | %s | %s | %s |\n", coach.DisputePlan, coach.DisputeData, coach.DisputeOther)
	p("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	var tags, disputed int
	for _, c := range counts {
		p("| %s | %d | %d | %s | %d | %d | %d | %d |\n", c.Label, c.Tags, c.Disputed, percent(c.DisputedShare()), c.Excluded,
			c.ByReason[coach.DisputePlan], c.ByReason[coach.DisputeData], c.ByReason[coach.DisputeOther])
		tags += c.Tags
		disputed += c.Disputed
	}
	p("\nTags: %d, disputed: %d (%s). A dispute is the trader's view, and most wrong labels are never disputed: the share is a lower bound on the labels traders found wrong, to compare between labels and definition versions.\n",
		tags, disputed, percent(frac(disputed, tags)))
	return b.String()
}
