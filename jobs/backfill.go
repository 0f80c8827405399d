package jobs

import "context"

// backfillDigests enqueues, after the scoring of p's window, the digest.weekly job that rebuilds
// without mailing (DigestBackfillJob) each of the user's last h.backfill complete weeks that holds
// a trade of the window (digest.Service.BackfillWeeks), oldest first. Without a Digester, or with
// the backfill turned off, it does nothing. The jobs' ids name the window, so a retried score job
// enqueues each once, and a week rebuilt twice stores nothing new (digest.Service.Weekly).
func (h *Handlers) backfillDigests(ctx context.Context, p ScorePayload) error {
	if h.digester == nil || h.backfill == 0 {
		return nil
	}
	weeks, err := h.digester.BackfillWeeks(ctx, p.UserID, p.From, p.To, h.backfill)
	if err != nil {
		return err
	}
	for _, w := range weeks {
		j, err := DigestBackfillJob(p, w.String())
		if err != nil {
			return err
		}
		if _, err := h.queue.Enqueue(ctx, j); err != nil {
			return err
		}
	}
	if len(weeks) > 0 {
		h.log.InfoContext(ctx, "jobs: digests of past weeks to rebuild after scoring", "userId", p.UserID, "weeks", len(weeks),
			"from", weeks[0].String(), "to", weeks[len(weeks)-1].String())
	}
	return nil
}
