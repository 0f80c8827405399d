package jobs

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// Job types of the retention jobs, on q_digest (the lowest priority: maintenance yields to the
// traders' work).
const (
	JobRetentionOutbox      = "retention.outbox"
	JobRetentionDigests     = "retention.digests"
	JobRetentionSessions    = "retention.sessions"
	JobRetentionExports     = "retention.exports"
	JobRetentionDeadLetters = "retention.deadletters"
	JobRetentionWebhooks    = "retention.webhooks"
)

// Retention defaults.
const (
	// DefaultDigestMonths is how many months digests stay in the store before retention.digests
	// archives them (the seed's 6).
	DefaultDigestMonths = 6
	// DefaultDeadLetterRetention is how long dead letters are kept: 30 days, time enough for a
	// person to look at a failed job and requeue it, short enough that the payloads of failed
	// jobs (user ids, connection ids) do not linger.
	DefaultDeadLetterRetention = 30 * 24 * time.Hour
	// DefaultWebhookDeliveryRetention is how long webhook deliveries are kept after they settled
	// (succeeded, or failed for good): 30 days in which a user can look at one or replay it.
	DefaultWebhookDeliveryRetention = 30 * 24 * time.Hour
	// DefaultPartitionsAhead is how many months of outbox partitions after the current one
	// retention.outbox makes ready (storage/postgres's default).
	DefaultPartitionsAhead = 3
)

// ExportPurger deletes the exports whose download has expired (their blobs and records) and
// returns how many. Declared here, where retention.exports needs it; package privacy's service
// implements it.
type ExportPurger interface {
	PurgeExpired(ctx context.Context) (int, error)
}

// Partitioner is the optional capability of a storage.Store whose outbox is partitioned ahead of
// time (storage/postgres's DB): retention.outbox makes the partitions of the coming months when
// Config.Store has it.
type Partitioner interface {
	EnsurePartitions(ctx context.Context, now time.Time, monthsAhead int) error
}

// RetentionConfig turns on the retention jobs and says how long data is kept. Zero durations
// take the defaults; negative ones are refused, so that a misconfiguration never deletes
// everything.
type RetentionConfig struct {
	// Blobs is where retention.digests archives digests. Required.
	Blobs storage.Blobs
	// Exports purges expired exports for retention.exports; nil makes that job complete doing
	// nothing (a host without exports).
	Exports ExportPurger
	// Outbox is how long outbox events are kept (outbox.DefaultRetention, 90 days).
	Outbox time.Duration
	// DigestMonths is how many months after its week ended a digest is archived
	// (DefaultDigestMonths).
	DigestMonths int
	// DeadLetters is how long dead letters are kept after they failed
	// (DefaultDeadLetterRetention).
	DeadLetters time.Duration
	// WebhookDeliveries is how long webhook deliveries are kept after their last attempt
	// (DefaultWebhookDeliveryRetention): retention.webhooks deletes the settled ones older than
	// that (storage.Webhooks.PruneDeliveries). A delivery still being retried is never deleted, and
	// one that failed for good is kept that long after its last retry, so it can be replayed.
	WebhookDeliveries time.Duration
	// PartitionsAhead is how many months of outbox partitions retention.outbox makes ahead when
	// the store is a Partitioner (DefaultPartitionsAhead; at most 120).
	PartitionsAhead int
}

// withDefaults validates c and fills its zero fields.
func (c RetentionConfig) withDefaults() (RetentionConfig, error) {
	switch {
	case c.Blobs == nil:
		return c, coach.Errorf(coach.EINVALID, "jobs: Config.Retention.Blobs is required")
	case c.Outbox < 0:
		return c, coach.Errorf(coach.EINVALID, "jobs: Config.Retention.Outbox: negative")
	case c.DigestMonths < 0 || c.DigestMonths > 1200:
		return c, coach.Errorf(coach.EINVALID, "jobs: Config.Retention.DigestMonths: want 0 to 1200")
	case c.DeadLetters < 0:
		return c, coach.Errorf(coach.EINVALID, "jobs: Config.Retention.DeadLetters: negative")
	case c.WebhookDeliveries < 0:
		return c, coach.Errorf(coach.EINVALID, "jobs: Config.Retention.WebhookDeliveries: negative")
	case c.PartitionsAhead < 0 || c.PartitionsAhead > 120:
		return c, coach.Errorf(coach.EINVALID, "jobs: Config.Retention.PartitionsAhead: want 0 to 120")
	}
	if c.DigestMonths == 0 {
		c.DigestMonths = DefaultDigestMonths
	}
	if c.DeadLetters == 0 {
		c.DeadLetters = DefaultDeadLetterRetention
	}
	if c.WebhookDeliveries == 0 {
		c.WebhookDeliveries = DefaultWebhookDeliveryRetention
	}
	if c.PartitionsAhead == 0 {
		c.PartitionsAhead = DefaultPartitionsAhead
	}
	return c, nil
}

// retentionPeriod is the period of each retention job: its id names the start of one, and the
// job is scheduled once in each.
var retentionPeriod = map[string]time.Duration{
	JobRetentionOutbox:      24 * time.Hour,
	JobRetentionDigests:     24 * time.Hour,
	JobRetentionSessions:    time.Hour,
	JobRetentionExports:     time.Hour,
	JobRetentionDeadLetters: 24 * time.Hour,
	JobRetentionWebhooks:    24 * time.Hour,
}

// RetentionPayload is the input of every retention job: the start of the period (a whole UTC
// day or hour, by the job's type) the job runs for. The job's cut-offs count back from it, so
// that running it again, late or twice, deletes the same things.
type RetentionPayload struct {
	Period time.Time `json:"period"`
}

// validate reports whether p starts a period of the retention job typ.
func (p RetentionPayload) validate(typ string) error {
	d, ok := retentionPeriod[typ]
	switch {
	case !ok:
		return coach.Errorf(coach.EINVALID, "%s: not a retention job", clip(typ, 40))
	case p.Period.IsZero() || !p.Period.Truncate(d).Equal(p.Period) || p.Period.Year() < 2000 || p.Period.Year() > 9999:
		return coach.Errorf(coach.EINVALID, "period: want the start of a UTC %s", periodName(d))
	}
	return nil
}

func periodName(d time.Duration) string {
	if d == time.Hour {
		return "hour"
	}
	return "day"
}

// ParseRetention reads the RetentionPayload of a job of type typ (one of the JobRetention*
// types) as ParseImport reads an ImportPayload: EINVALID unless Period starts the job's period.
func ParseRetention(typ string, b []byte) (RetentionPayload, error) {
	var p RetentionPayload
	return p, parse(b, clip(typ, 40), &p, func() error { return p.validate(typ) })
}

// RetentionID is the id of the retention job typ for the period starting at periodStart:
// "{type}:{periodStart}", e.g. "retention.digests:2026-12-07T00:00:00Z".
func RetentionID(typ string, periodStart time.Time) string { return typ + ":" + stamp(periodStart) }

// retentionJob returns the job of type typ for the period at falls in, on q_digest, with id
// RetentionID and a retention of two periods (every firing and retry of the period enqueues
// it once).
func retentionJob(typ string, at time.Time) transport.Job {
	d := retentionPeriod[typ]
	start := at.UTC().Truncate(d)
	j, err := job(typ, RetentionID(typ, start), transport.QueueDigest, RetentionPayload{Period: start}, 2*d)
	if err != nil {
		// A whole period's payload always encodes; should it not, the job is refused at Enqueue.
		return transport.Job{Type: typ, Queue: transport.QueueDigest}
	}
	return j
}

// RetentionOutboxJob returns the retention.outbox job of the UTC day at falls in. Daily; its
// signature is that of transport.Periodic.Job.
func RetentionOutboxJob(at time.Time) transport.Job { return retentionJob(JobRetentionOutbox, at) }

// RetentionDigestsJob returns the retention.digests job of the UTC day at falls in. Daily.
func RetentionDigestsJob(at time.Time) transport.Job { return retentionJob(JobRetentionDigests, at) }

// RetentionSessionsJob returns the retention.sessions job of the UTC hour at falls in. Hourly.
func RetentionSessionsJob(at time.Time) transport.Job { return retentionJob(JobRetentionSessions, at) }

// RetentionExportsJob returns the retention.exports job of the UTC hour at falls in. Hourly.
func RetentionExportsJob(at time.Time) transport.Job { return retentionJob(JobRetentionExports, at) }

// RetentionDeadLettersJob returns the retention.deadletters job of the UTC day at falls in.
// Daily.
func RetentionDeadLettersJob(at time.Time) transport.Job {
	return retentionJob(JobRetentionDeadLetters, at)
}

// RetentionWebhooksJob returns the retention.webhooks job of the UTC day at falls in. Daily.
func RetentionWebhooksJob(at time.Time) transport.Job { return retentionJob(JobRetentionWebhooks, at) }
