// Package outbox moves events from the outbox to the bus: a Dispatcher that publishes undelivered
// events and marks them delivered, Replay for clients resuming after a gap, and Retention that
// prunes old events. The event types and payloads are domain vocabulary in the root package.
//
// Delivery is at least once: an event is marked delivered only after the bus accepted it, so a
// dispatcher that dies mid-batch leaves the batch undelivered and it is published again (by the
// next run, or by another dispatcher once the dead one's lease has ended). Clients dedupe by
// event id. Publishing holds no transaction and no lock: appends and reads of every user go on
// while the bus hangs.
package outbox

import (
	"context"
	"log/slog"
	"sync"
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

// ClaimLease is how long a dispatcher holds the users of a batch (storage.Events.Claim): it
// stops publishing the batch before then, and a dispatcher that died holding them delays them
// by at most that long before another one takes over.
const ClaimLease = 30 * time.Second

// releaseTimeout bounds the Release of a batch, which runs even when the caller's context has
// ended so that the users are not left leased.
const releaseTimeout = 5 * time.Second

// Dispatcher publishes undelivered outbox events to a bus. Several dispatchers may run against
// one store: each batch leases whole users to one dispatcher (storage.Events.Claim) in a short
// transaction, is published outside any transaction, then is marked delivered as the lease is
// released, so a user is served by one dispatcher at a time and its events are published in id
// order. A batch goes out in one PublishBatch when the bus is a transport.BatchPublisher (the
// Redis bus pipelines it: one round trip, not one per event), else one Publish per event. A
// dispatcher may publish again a batch another one has just delivered (at least once); relays
// and clients drop ids at or below the last one they passed on.
type Dispatcher struct {
	// mu serializes batches: one dispatcher publishes one batch at a time under its owner id.
	mu    sync.Mutex
	owner string // this dispatcher's lease owner id, made on first use
	// pending is set when a batch's Release failed; unreleased holds that batch's delivered ids,
	// and the next DispatchOnce releases them first.
	pending    bool
	unreleased []string

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

// DispatchOnce claims one batch, publishes it and marks it delivered, and returns how many events
// it delivered. The claim and the mark are short transactions of their own; the publishing in
// between holds none, and stops when ClaimLease has passed. On a bus error nothing of the batch
// is marked delivered and its users are released for the next attempt.
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

// dispatchOnce is DispatchOnce's batch: claim, publish holding nothing, release.
func (d *Dispatcher) dispatchOnce(ctx context.Context) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.owner == "" {
		d.owner = "dispatcher:" + coach.NewID()
	}
	if d.pending {
		if err := d.release(ctx, d.unreleased); err != nil {
			return 0, err
		}
	}
	pctx, cancel := context.WithTimeout(ctx, ClaimLease) // started before the lease: ends first
	defer cancel()
	events, err := d.store.Events().Claim(ctx, d.owner, d.batchSize, ClaimLease)
	if err != nil {
		// The claim may have committed with its answer lost (ctx ended, the connection dropped):
		// let go of whatever it leased rather than hold the users until the lease ends.
		_ = d.release(ctx, nil)
		return 0, err
	}
	ids, perr := d.publish(pctx, events)
	if err := d.release(ctx, ids); err != nil && perr == nil {
		return 0, err
	}
	if perr != nil {
		return 0, perr
	}
	return len(ids), nil
}

// publish publishes events in order, in one PublishBatch when the bus is a
// transport.BatchPublisher (one round trip to a networked bus), one Publish each otherwise, and
// returns the ids published: all of them, or none after an error.
func (d *Dispatcher) publish(ctx context.Context, events []coach.Event) ([]string, error) {
	if len(events) == 0 {
		return nil, nil
	}
	if bp, ok := d.bus.(transport.BatchPublisher); ok {
		if err := bp.PublishBatch(ctx, events); err != nil {
			return nil, err
		}
	} else {
		for _, e := range events {
			if err := d.bus.Publish(ctx, e); err != nil {
				return nil, err
			}
		}
	}
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids, nil
}

// release marks ids delivered and ends the dispatcher's leases, even when ctx has ended. If that
// fails, it is kept for the next DispatchOnce to do first.
func (d *Dispatcher) release(ctx context.Context, ids []string) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := d.store.Events().Release(rctx, d.owner, ids, d.clock.Now()); err != nil {
		d.unreleased, d.pending = ids, true
		return err
	}
	d.unreleased, d.pending = nil, false
	return nil
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
