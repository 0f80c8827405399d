package jobs

import (
	"context"

	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/transport"
)

// retainer is what the retention handlers need besides the store.
type retainer struct {
	cfg    RetentionConfig
	outbox *outbox.Retention
}

// newRetainer returns the retainer of cfg.Retention, nil when it is not set.
func newRetainer(cfg Config) (*retainer, error) {
	if cfg.Retention == nil {
		return nil, nil
	}
	rc, err := cfg.Retention.withDefaults()
	if err != nil {
		return nil, err
	}
	ob, err := outbox.NewRetention(outbox.RetentionConfig{Events: cfg.Store.Events(), Keep: rc.Outbox, Logger: cfg.Logger, Metrics: cfg.Metrics})
	if err != nil {
		return nil, err
	}
	return &retainer{cfg: rc, outbox: ob}, nil
}

// retentionPayload checks that h can run retention jobs and reads j's payload as one of typ.
func (h *Handlers) retentionPayload(j transport.Job, typ string) (RetentionPayload, error) {
	if !h.constructed() {
		return RetentionPayload{}, errNotConstructed
	}
	if h.ret == nil {
		return RetentionPayload{}, unavailable(typ, "Retention")
	}
	return ParseRetention(typ, j.Payload)
}

// logRetention logs what a retention job removed, when it removed anything.
func (h *Handlers) logRetention(ctx context.Context, j transport.Job, what string, n int) {
	if n > 0 {
		h.log.InfoContext(ctx, "jobs: retention", "jobId", j.ID, "type", j.Type, what, n)
	}
}

// RetentionOutbox is the handler of retention.outbox: when the store is a Partitioner it makes
// the outbox partitions of the payload's month and the Retention.PartitionsAhead months after it
// (those missing), then drops the events older than Retention.Outbox before the payload's day
// (outbox.Retention: whole partitions where the store has them, never the present month's, so a
// retention of 0 — the 90-day default — never empties the outbox). Both steps are idempotent and
// serialized in the store, so a run repeated, or two at once, change nothing more.
func (h *Handlers) RetentionOutbox(ctx context.Context, j transport.Job) error {
	p, err := h.retentionPayload(j, JobRetentionOutbox)
	if err != nil {
		return err
	}
	if pt, ok := h.store.(Partitioner); ok {
		if err := pt.EnsurePartitions(ctx, p.Period, h.ret.cfg.PartitionsAhead); err != nil {
			return h.settle(ctx, j, err)
		}
	}
	_, err = h.ret.outbox.Run(ctx, p.Period) // it logs what it dropped
	return h.settle(ctx, j, err)
}

// RetentionSessions is the handler of retention.sessions: it deletes every session that expired
// at or before the start of the payload's hour (storage.Sessions.DeleteExpired), for all users.
func (h *Handlers) RetentionSessions(ctx context.Context, j transport.Job) error {
	p, err := h.retentionPayload(j, JobRetentionSessions)
	if err != nil {
		return err
	}
	n, err := h.store.Sessions().DeleteExpired(ctx, p.Period)
	h.logRetention(ctx, j, "sessions deleted", n)
	return h.settle(ctx, j, err)
}

// RetentionDeadLetters is the handler of retention.deadletters: it deletes the dead letters that
// failed more than Retention.DeadLetters (DefaultDeadLetterRetention, 30 days) before the
// payload's day (storage.DeadLetters.DeleteFailedBefore).
func (h *Handlers) RetentionDeadLetters(ctx context.Context, j transport.Job) error {
	p, err := h.retentionPayload(j, JobRetentionDeadLetters)
	if err != nil {
		return err
	}
	n, err := h.store.DeadLetters().DeleteFailedBefore(ctx, p.Period.Add(-h.ret.cfg.DeadLetters))
	h.logRetention(ctx, j, "dead letters deleted", n)
	return h.settle(ctx, j, err)
}

// RetentionExports is the handler of retention.exports: it asks Retention.Exports to purge the
// exports whose download expired (ExportPurger.PurgeExpired), and completes doing nothing when
// no ExportPurger was given.
func (h *Handlers) RetentionExports(ctx context.Context, j transport.Job) error {
	if _, err := h.retentionPayload(j, JobRetentionExports); err != nil {
		return err
	}
	if h.ret.cfg.Exports == nil {
		return nil
	}
	n, err := h.ret.cfg.Exports.PurgeExpired(ctx)
	h.logRetention(ctx, j, "exports purged", n)
	return h.settle(ctx, j, err)
}

// RetentionWebhooks is the handler of retention.webhooks: it deletes, for every user, the
// webhook deliveries that settled (succeeded, or failed for good) more than
// Retention.WebhookDeliveries before the payload's day (storage.Webhooks.PruneDeliveries), a
// bounded batch at a time so that no statement holds the table long. Pending deliveries are never
// deleted; running it again deletes nothing more.
func (h *Handlers) RetentionWebhooks(ctx context.Context, j transport.Job) error {
	p, err := h.retentionPayload(j, JobRetentionWebhooks)
	if err != nil {
		return err
	}
	cut, total := p.Period.Add(-h.ret.cfg.WebhookDeliveries), 0
	for {
		n, err := h.store.Webhooks().PruneDeliveries(ctx, cut, webhookPruneBatch)
		total += n
		if err != nil || n < webhookPruneBatch {
			h.logRetention(ctx, j, "webhook deliveries deleted", total)
			return h.settle(ctx, j, err)
		}
	}
}

// webhookPruneBatch is how many deliveries one PruneDeliveries of retention.webhooks deletes.
const webhookPruneBatch = 1000
