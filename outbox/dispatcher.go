// Package outbox moves events from the outbox to the bus: a Dispatcher that publishes undelivered
// events and marks them delivered, Replay for clients resuming after a gap, and Retention that
// prunes old events. The event types and payloads are domain vocabulary in the root package.
//
// Delivery is at least once: an event is marked delivered only after the bus accepted it, in the
// same transaction that claimed it, so a dispatcher that dies mid-batch leaves the batch
// undelivered and the next run publishes it again. Clients dedupe by event id.
package outbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// Dispatcher defaults.
const (
	DefaultBatchSize    = 500
	DefaultPollInterval = time.Second
	DefaultMaxBackoff   = 30 * time.Second
)

// Dispatcher publishes undelivered outbox events to a bus. Several dispatchers may run against
// one store: each batch is claimed inside a transaction (storage.Events.Undelivered skips what
// another transaction has claimed: whole users on Postgres), so a user's events are first
// published in id order. A dispatcher may publish again a batch another one has just delivered
// (at least once); relays and clients drop ids at or below the last one they passed on.
type Dispatcher struct {
	store        storage.Store
	bus          transport.Bus
	clock        coach.Clock
	batchSize    int
	pollInterval time.Duration
	maxBackoff   time.Duration
	log          *slog.Logger
	metrics      coach.Metrics
	wake         chan struct{}
}

// DispatcherConfig configures a Dispatcher.
type DispatcherConfig struct {
	Store storage.Store // required
	Bus   transport.Bus // required
	Clock coach.Clock   // stamps DeliveredAt; coach.SystemClock when nil
	// Logger receives failed batches (faults as errors, others as warnings); nil discards them.
	Logger *slog.Logger
	// Metrics receives outbox_events_dispatched_total and outbox_dispatch_duration_seconds
	// (coach.MetricTable); nil means coach.NopMetrics.
	Metrics coach.Metrics
	// BatchSize is how many events one transaction claims (DefaultBatchSize when 0).
	BatchSize int
	// PollInterval is how long the dispatcher sleeps when idle and not notified.
	PollInterval time.Duration
	// MaxBackoff caps the wait after a failed batch (the bus or the store is down).
	MaxBackoff time.Duration
}

// NewDispatcher returns a Dispatcher, or an EINVALID error naming the first missing or invalid
// field of cfg.
func NewDispatcher(cfg DispatcherConfig) (*Dispatcher, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "outbox: DispatcherConfig.Store is required")
	case cfg.Bus == nil:
		return nil, coach.Errorf(coach.EINVALID, "outbox: DispatcherConfig.Bus is required")
	case cfg.BatchSize < 0:
		return nil, coach.Errorf(coach.EINVALID, "outbox: DispatcherConfig.BatchSize: negative")
	case cfg.PollInterval < 0:
		return nil, coach.Errorf(coach.EINVALID, "outbox: DispatcherConfig.PollInterval: negative")
	case cfg.MaxBackoff < 0:
		return nil, coach.Errorf(coach.EINVALID, "outbox: DispatcherConfig.MaxBackoff: negative")
	}
	d := &Dispatcher{store: cfg.Store, bus: cfg.Bus, clock: cfg.Clock, batchSize: cfg.BatchSize,
		pollInterval: cfg.PollInterval, maxBackoff: cfg.MaxBackoff, log: cfg.Logger, metrics: cfg.Metrics, wake: make(chan struct{}, 1)}
	if d.clock == nil {
		d.clock = coach.SystemClock{}
	}
	if d.batchSize == 0 {
		d.batchSize = DefaultBatchSize
	}
	if d.pollInterval == 0 {
		d.pollInterval = DefaultPollInterval
	}
	if d.maxBackoff == 0 {
		d.maxBackoff = DefaultMaxBackoff
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.metrics == nil {
		d.metrics = coach.NopMetrics{}
	}
	return d, nil
}

// errNotConstructed is what a Dispatcher not built by NewDispatcher answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "outbox: Dispatcher not constructed; use outbox.NewDispatcher")

func (d *Dispatcher) constructed() bool { return d != nil && d.store != nil }

// Notify wakes the dispatcher now instead of at its next poll. It never blocks; call it after
// committing a transaction that appended events. On a Dispatcher not built by NewDispatcher it
// does nothing.
func (d *Dispatcher) Notify() {
	if !d.constructed() {
		return
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// DispatchOnce claims one batch, publishes it and marks it delivered, all in one transaction, and
// returns how many events it delivered. On a bus error nothing of the batch is marked delivered.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	if !d.constructed() {
		return 0, errNotConstructed
	}
	start := time.Now()
	n, err := d.dispatchOnce(ctx)
	d.metrics.Observe(coach.MetricDispatchDuration, time.Since(start), "outcome", coach.Outcome(err))
	if n > 0 {
		d.metrics.Count(coach.MetricEventsDispatched, int64(n))
	}
	return n, err
}

// dispatchOnce is DispatchOnce's batch.
func (d *Dispatcher) dispatchOnce(ctx context.Context) (int, error) {
	n := 0
	err := d.store.InTx(ctx, func(tx storage.Tx) error {
		events, err := tx.Events().Undelivered(ctx, d.batchSize)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(events))
		for _, e := range events {
			if err := d.bus.Publish(ctx, e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		if len(ids) == 0 {
			return nil
		}
		n = len(ids)
		return tx.Events().MarkDelivered(ctx, ids, d.clock.Now())
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Run dispatches until ctx ends: full batches back to back, then a sleep until Notify or the poll
// interval. A failed batch (bus or store outage) is retried with exponential backoff; Run returns
// only ctx's error (or EINVALID at once on a Dispatcher not built by NewDispatcher).
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.constructed() {
		return errNotConstructed
	}
	backoff := time.Duration(0)
	for {
		n, err := d.DispatchOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var wait time.Duration
		switch {
		case err != nil:
			backoff = min(max(2*backoff, 50*time.Millisecond), d.maxBackoff)
			wait = backoff
			if coach.ErrorCode(err) == coach.EINTERNAL { // a fault: log where it came from
				d.log.ErrorContext(ctx, "outbox dispatch failed; retrying", "err", err, "retryIn", wait)
			} else {
				d.log.WarnContext(ctx, "outbox dispatch failed; retrying", "code", coach.ErrorCode(err), "retryIn", wait)
			}
		case n == d.batchSize:
			backoff = 0
			continue
		default:
			backoff = 0
			wait = d.pollInterval
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-d.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}
