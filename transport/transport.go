// Package transport declares how work and events move between tradecoach's stacks: a job queue
// with deterministic task ids and the workers that run it, and an event bus that fans events out
// per user. Signed service calls need no port of their own: they are net/http's, an
// http.RoundTripper that signs and a middleware that verifies (transport/hmac). Adapters:
// transport/asynq (the queue on Redis), transport/redis (the event bus on Redis pub/sub),
// transport/ws (the WebSocket relay and its client), transport/hmac, and in-memory
// implementations in transport/memory for one process.
package transport

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// Queues of the workers stack, with their priorities in the asynq adapter.
const (
	QueueImport = "q_import"
	QueueScore  = "q_score"
	QueueSim    = "q_sim"
	QueueDigest = "q_digest"
)

// Job types.
const (
	JobImportTrades   = "import.trades"
	JobScoreBias      = "score.bias"
	JobSimulateSimple = "simulate.simple"
	JobDigestWeekly   = "digest.weekly"
)

// Job is a unit of background work.
type Job struct {
	// Type selects the handler (one of the Job* constants, or the host's own).
	Type string
	// ID is deterministic and scoped to the job's period (e.g. "digest:{userId}:{isoWeek}",
	// "import:{connectionId}:{windowStart}"): enqueueing an ID already queued, running or retained
	// is not an error and does not run the job twice.
	ID string
	// Queue is one of the Queue* constants.
	Queue string
	// Payload is the handler's input, usually JSON.
	Payload []byte
	// MaxRetry is how many times a failed job is retried with backoff before it is dead-lettered
	// (0 means the queue's default).
	MaxRetry int
	// Timeout bounds one attempt (0 means the queue's default).
	Timeout time.Duration
	// ProcessAt delays the job until then (zero means now).
	ProcessAt time.Time
	// Retention is how long the ID of a completed job keeps deduplicating enqueues of the same ID
	// (0 means the queue's default). Scope it to the ID's period: a weekly job retains for a week.
	Retention time.Duration
}

// Validate reports the first invalid field of j.
func (j Job) Validate() error {
	switch {
	case j.Type == "" || len(j.Type) > 64:
		return coach.Errorf(coach.EINVALID, "job type: required, at most 64 characters")
	case j.ID == "" || len(j.ID) > 200:
		return coach.Errorf(coach.EINVALID, "job id: required, at most 200 characters")
	case j.Queue == "" || len(j.Queue) > 50:
		return coach.Errorf(coach.EINVALID, "job %s: queue: required, at most 50 characters", j.ID)
	case j.MaxRetry < 0:
		return coach.Errorf(coach.EINVALID, "job %s: maxRetry: negative", j.ID)
	case j.Timeout < 0:
		return coach.Errorf(coach.EINVALID, "job %s: timeout: negative", j.ID)
	case j.Retention < 0:
		return coach.Errorf(coach.EINVALID, "job %s: retention: negative", j.ID)
	}
	return nil
}

// Enqueued tells what Enqueue did.
type Enqueued struct {
	// Duplicate is true when a job with the same ID was already queued, running or retained, so
	// nothing new was enqueued.
	Duplicate bool
}

// Queue accepts jobs. A job accepted (nil error) is durable: it runs at least once even if the
// process or the queue's server restarts right after. Enqueue with an ended context is
// ECANCELED, wrapping the context's error.
type Queue interface {
	Enqueue(ctx context.Context, j Job) (Enqueued, error)
}

// Handler runs one attempt of a job. Handlers are idempotent: a job may run more than once.
// Returning an error retries the job with backoff until MaxRetry, then dead-letters it; an error
// whose coach.ErrorCode is EINVALID is not retried.
type Handler func(ctx context.Context, j Job) error

// Bus carries events to live subscribers. Publish delivers an event to every current subscriber
// of its user, at most once per subscription; there is no persistence (the outbox and replay
// cover gaps), so a subscriber that must not miss events subscribes first, then replays from
// storage, and dedupes by event id. Publish and Subscribe with an ended context are ECANCELED,
// wrapping the context's error.
type Bus interface {
	// Publish sends e to the subscribers of e.UserID. It returns once the bus has accepted it.
	Publish(ctx context.Context, e coach.Event) error

	// Subscribe starts receiving the user's events. The subscription is live when Subscribe
	// returns: every event published afterwards reaches it (unless it is closed or overflows).
	Subscribe(ctx context.Context, userID string) (Subscription, error)
}

// BatchPublisher is the optional capability of a Bus that publishes several events in one go (one
// round trip to a networked bus instead of one per event). The outbox Dispatcher uses it when its
// Bus has it.
type BatchPublisher interface {
	// PublishBatch publishes events in their order, as as many Publish calls would, and returns
	// once the bus has accepted every one. On an error none, some or all of them may have been
	// published (the caller publishes them again: delivery is at least once). With an ended
	// context it is ECANCELED, wrapping the context's error.
	PublishBatch(ctx context.Context, events []coach.Event) error
}

// Subscription is a live feed of one user's events.
type Subscription interface {
	// Events delivers events in publish order. It is closed when the subscription ends: after
	// Close, when the bus shuts down, or when the subscriber fell too far behind (Err tells).
	Events() <-chan coach.Event

	// Err returns why the subscription ended, nil while it is live or after Close.
	Err() error

	// Close ends the subscription. It is safe to call more than once.
	Close() error
}
