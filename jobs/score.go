package jobs

import (
	"context"

	"github.com/tradecoach/coach/transport"
)

// ScoreBias is the handler of score.bias: it scores the user's trades in the payload's window
// (bias.Service.ScoreUser), which replaces their tags and emits coach.reflect events for new tags
// only, so running it again changes nothing. It scores with the Scorer's definitions; a job
// enqueued under another definition version (before a deploy changed them) is scored with the
// current ones. With Config.Rules it then appends rule.broken for the rules the window's trades
// broke, each once (rules.Service.RecordBreaks). With a Digester it then enqueues the backfill of
// the digests of the complete past weeks the window's trades touch (see Config.DigestBackfill and
// DigestBackfillJob): built, never mailed. A user that is gone is skipped; other errors are
// classified as Classify says.
func (h *Handlers) ScoreBias(ctx context.Context, j transport.Job) error {
	if !h.constructed() {
		return errNotConstructed
	}
	if h.scorer == nil {
		return unavailable(transport.JobScoreBias, "Scorer")
	}
	p, err := ParseScore(j.Payload)
	if err != nil {
		return err
	}
	if p.DefinitionVersion != h.version {
		h.log.InfoContext(ctx, "jobs: scoring with other definitions than the job names", "jobId", j.ID,
			"jobVersion", p.DefinitionVersion, "version", h.version)
	}
	_, err = h.scorer.ScoreUser(ctx, p.UserID, p.From, p.To)
	if err == nil && h.rules != nil {
		_, err = h.rules.RecordBreaks(ctx, p.UserID, p.From, p.To)
	}
	if err == nil {
		err = h.backfillDigests(ctx, p)
	}
	return h.settle(ctx, j, err)
}
