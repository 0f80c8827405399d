package webhook

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Deliverer defaults.
const (
	DefaultConcurrency  = 32
	DefaultBatchSize    = 100
	DefaultPollInterval = time.Second
	// DefaultSlowAfter is how long an attempt may run in the shared lane before its endpoint
	// is moved to the slow lane (see DelivererConfig.SlowAfter).
	DefaultSlowAfter = time.Second
)

// DelivererConfig configures a Deliverer.
type DelivererConfig struct {
	Store  storage.Store // required
	Client *Client       // required: the only way requests go out
	Sealer Sealer        // required: opens the endpoints' secrets
	// Clock decides what is due and stamps attempts; coach.SystemClock when nil.
	Clock coach.Clock
	// Jitter returns a number in [0, 1) for the retry jitter; math/rand/v2 when nil.
	Jitter func() float64
	// Retry is when failed deliveries are tried again; DefaultRetryPolicy when zero.
	Retry RetryPolicy
	// DisableAfter is how many failed attempts in a row disable an endpoint; by default the
	// attempts Retry makes (so a receiver dead for Retry.For is disabled).
	DisableAfter int
	// Concurrency is how many endpoints are sent to at once in the shared lane;
	// DefaultConcurrency when 0.
	Concurrency int
	// SlowAfter is how long an attempt may hold a slot of the shared lane: one that runs longer
	// gives its slot back (the request goes on) and its endpoint is sent from then on in the slow
	// lane, until an attempt takes less. DefaultSlowAfter when 0.
	SlowAfter time.Duration
	// SlowConcurrency is how many endpoints of the slow lane are sent to at once; Concurrency when
	// 0, so that when every receiver is slow at once (a network hiccup, a starved process)
	// delivery keeps the pace it had before, in the slow lane, while the shared lane stays free
	// for the endpoints that answer quickly.
	SlowConcurrency int
	// BatchSize is how many events of a user one fan-out step reads; DefaultBatchSize when 0.
	BatchSize int
	// PollInterval is how long Run sleeps when not notified; DefaultPollInterval when 0.
	PollInterval time.Duration
	// Leases, when set, gives each endpoint's queue to one Deliverer at a time across every
	// Deliverer sharing it (a Redis adapter across workers): with it, several workers keep each
	// endpoint's order. Without it, run one Deliverer per store.
	Leases storage.Leases
	// Logger receives faults (as errors) and failed attempts (at debug); nil discards them.
	Logger *slog.Logger
	// Metrics receives webhook_attempts_total, webhook_attempt_duration_seconds and
	// webhook_endpoints_disabled_total (coach.MetricTable); nil means coach.NopMetrics.
	Metrics coach.Metrics
}

// Deliverer moves events from the outbox to webhook endpoints (see the package doc). Run one or
// more per deployment; a fan-out step that loses a race to another Deliverer stores nothing.
// With DelivererConfig.Leases an endpoint's queue is sent by one Deliverer at a time; without,
// two Deliverers may send one queue at once, which keeps at-least-once but may reorder a retry.
type Deliverer struct {
	store        storage.Store
	client       *Client
	sealer       Sealer
	clock        coach.Clock
	jitter       func() float64
	retry        RetryPolicy
	maxAttempts  int
	disableAfter int
	batch        int
	poll         time.Duration
	log          *slog.Logger
	leases       storage.Leases
	owner        string // this Deliverer's lease owner id
	metrics      coach.Metrics

	sem       chan struct{} // the shared lane's slots
	slowSem   chan struct{} // the slow lane's slots
	slowAfter time.Duration
	wake      chan struct{}
	freed     chan struct{} // a sender ended or gave its slot back
	mu        sync.Mutex
	busy      map[string]bool // endpoints being sent to
	slow      map[string]bool // endpoints in the slow lane (their last attempt overran SlowAfter)
	dirty     map[string]bool // users with events committed since the last fan-out (NotifyUser)
	wg        sync.WaitGroup
}

// NewDeliverer returns a Deliverer, or EINVALID naming the first missing or invalid field.
func NewDeliverer(cfg DelivererConfig) (*Deliverer, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "webhook: DelivererConfig.Store is required")
	case cfg.Client == nil:
		return nil, coach.Errorf(coach.EINVALID, "webhook: DelivererConfig.Client is required")
	case cfg.Sealer == nil:
		return nil, coach.Errorf(coach.EINVALID, "webhook: DelivererConfig.Sealer is required")
	case cfg.DisableAfter < 0, cfg.Concurrency < 0, cfg.BatchSize < 0, cfg.PollInterval < 0, cfg.SlowAfter < 0, cfg.SlowConcurrency < 0:
		return nil, coach.Errorf(coach.EINVALID, "webhook: DelivererConfig: DisableAfter, Concurrency, SlowAfter, SlowConcurrency, BatchSize and PollInterval must not be negative")
	}
	if cfg.Retry == (RetryPolicy{}) {
		cfg.Retry = DefaultRetryPolicy()
	}
	if err := cfg.Retry.Validate(); err != nil {
		return nil, err
	}
	d := &Deliverer{store: cfg.Store, client: cfg.Client, sealer: cfg.Sealer, clock: cfg.Clock, jitter: cfg.Jitter,
		retry: cfg.Retry, maxAttempts: cfg.Retry.Attempts(), disableAfter: cfg.DisableAfter, batch: cfg.BatchSize,
		poll: cfg.PollInterval, log: cfg.Logger, leases: cfg.Leases, metrics: cfg.Metrics, owner: "webhook:" + coach.NewID(), wake: make(chan struct{}, 1), freed: make(chan struct{}, 1), busy: map[string]bool{}, slow: map[string]bool{},
		dirty: map[string]bool{}, slowAfter: cfg.SlowAfter}
	if d.clock == nil {
		d.clock = coach.SystemClock{}
	}
	if d.jitter == nil {
		d.jitter = rand.Float64
	}
	if d.disableAfter == 0 {
		d.disableAfter = d.maxAttempts
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	d.sem = make(chan struct{}, cfg.Concurrency)
	if cfg.SlowConcurrency == 0 {
		cfg.SlowConcurrency = cfg.Concurrency
	}
	d.slowSem = make(chan struct{}, cfg.SlowConcurrency)
	if d.slowAfter == 0 {
		d.slowAfter = DefaultSlowAfter
	}
	if d.batch == 0 {
		d.batch = DefaultBatchSize
	}
	if d.poll == 0 {
		d.poll = DefaultPollInterval
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.metrics == nil {
		d.metrics = coach.NopMetrics{}
	}
	return d, nil
}

var errDelivererNotConstructed = coach.Errorf(coach.EINVALID, "webhook: Deliverer not constructed; use webhook.NewDeliverer")

func (d *Deliverer) constructed() bool { return d != nil && d.store != nil && d.sem != nil }

func (d *Deliverer) now() time.Time { return d.clock.Now().UTC().Truncate(time.Microsecond) }

// Notify wakes Run now instead of at its next poll; call it after committing events. It never
// blocks. On a Deliverer not built by NewDeliverer it does nothing.
func (d *Deliverer) Notify() {
	if !d.constructed() {
		return
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// NotifyUser tells Run that userID has new events: its next round fans out that user's
// endpoints at once, without waiting for the poll that sweeps every endpoint. It never blocks.
// It is a hint (a bus subscriber can feed it); a missed one delays delivery by at most the poll
// interval. On a Deliverer not built by NewDeliverer it does nothing.
func (d *Deliverer) NotifyUser(userID string) {
	if !d.constructed() {
		return
	}
	d.mu.Lock()
	d.dirty[userID] = true
	d.mu.Unlock()
	d.Notify()
}

// fanOutDirty fans out the endpoints of the users NotifyUser named since the last call.
func (d *Deliverer) fanOutDirty(ctx context.Context) error {
	d.mu.Lock()
	users := d.dirty
	d.dirty = map[string]bool{}
	d.mu.Unlock()
	for uid := range users {
		eps, err := d.store.Webhooks().Endpoints(ctx, uid)
		if err != nil {
			return err
		}
		for _, ep := range eps {
			if !ep.Enabled {
				continue
			}
			if _, err := d.fanOutEndpoint(ctx, ep); err != nil {
				return err
			}
		}
	}
	return nil
}

// deliveryOf returns the pending delivery of event e to endpoint endpointID, due at now.
func deliveryOf(e coach.Event, endpointID string, now time.Time) (coach.WebhookDelivery, error) {
	body, err := json.Marshal(e.Envelope())
	if err != nil {
		return coach.WebhookDelivery{}, coach.Errorf(coach.EINVALID, "webhook: event %s: %v", e.ID, err)
	}
	return coach.WebhookDelivery{ID: coach.NewID(), UserID: e.UserID, EndpointID: endpointID, MessageID: "msg_" + e.ID,
		EventID: e.ID, EventType: e.Type, Body: body, Status: coach.DeliveryPending, NextAttemptAt: &now, CreatedAt: now}, nil
}

// FanOut enqueues, for every enabled endpoint, a delivery of each event committed after its
// cursor that it subscribes to, and moves the cursor past the events read, and returns how many
// deliveries it enqueued. An endpoint whose cursor another Deliverer moved meanwhile is left to
// it. A cursor older than the outbox's retention (EGONE) restarts at the oldest retained event,
// and the gap is logged.
func (d *Deliverer) FanOut(ctx context.Context) (int, error) {
	if !d.constructed() {
		return 0, errDelivererNotConstructed
	}
	total, after := 0, ""
	for {
		eps, err := d.store.Webhooks().Active(ctx, after, storage.MaxLimit)
		if err != nil {
			return total, err
		}
		for _, ep := range eps {
			n, err := d.fanOutEndpoint(ctx, ep)
			total += n
			if err != nil {
				return total, err
			}
		}
		if len(eps) < storage.MaxLimit {
			return total, nil
		}
		after = eps[len(eps)-1].ID
	}
}

// fanOutEndpoint moves one endpoint's cursor to the end of its user's stream.
func (d *Deliverer) fanOutEndpoint(ctx context.Context, ep coach.WebhookEndpoint) (int, error) {
	total := 0
	for {
		evs, err := d.store.Events().Since(ctx, ep.UserID, ep.Cursor, d.batch)
		if coach.ErrorCode(err) == coach.EGONE {
			d.log.WarnContext(ctx, "webhook: endpoint's cursor is older than the outbox's retention; events were skipped",
				"endpointId", ep.ID)
			evs, err = d.store.Events().Since(ctx, ep.UserID, "", d.batch)
		}
		if err != nil || len(evs) == 0 {
			return total, err
		}
		now := d.now()
		var ds []coach.WebhookDelivery
		for _, e := range evs {
			if !ep.Wants(e.Type) {
				continue
			}
			dl, err := deliveryOf(e, ep.ID, now)
			if err != nil {
				return total, err
			}
			ds = append(ds, dl)
		}
		to := evs[len(evs)-1].ID
		err = d.store.Webhooks().Enqueue(ctx, ep.UserID, ep.ID, ds, &storage.CursorMove{From: ep.Cursor, To: to})
		switch coach.ErrorCode(err) {
		case "":
		case coach.ECONFLICT, coach.ENOTFOUND: // another Deliverer moved it, or the endpoint went
			return total, nil
		default:
			return total, err
		}
		total += len(ds)
		ep.Cursor = to
		if len(evs) < d.batch {
			return total, nil
		}
	}
}

// DeliverDue sends the queues of every endpoint with a delivery due, at most Concurrency at
// once in the shared lane and SlowConcurrency in the slow one, waits for them, and returns how
// many attempts succeeded.
func (d *Deliverer) DeliverDue(ctx context.Context) (int, error) {
	if !d.constructed() {
		return 0, errDelivererNotConstructed
	}
	var (
		mu sync.Mutex
		ok int
	)
	err := d.startDue(ctx, true, func(n int) {
		mu.Lock()
		ok += n
		mu.Unlock()
	})
	d.wg.Wait()
	if err == nil && ctx.Err() != nil {
		err = coach.WrapError(coach.ECANCELED, ctx.Err(), "webhook: canceled")
	}
	return ok, err
}

// startDue starts a sender for each due endpoint not being sent to already, in the endpoint's
// lane. With wait, each sender waits for a free slot of its lane; without, an endpoint whose
// lane is full is left for the next round, so that the caller (Run's loop) never waits on a
// receiver.
func (d *Deliverer) startDue(ctx context.Context, wait bool, done func(int)) error {
	due, err := d.store.Webhooks().Due(ctx, d.now(), storage.MaxLimit)
	if err != nil {
		return err
	}
	// In a random order, so that when the slots run out it is not always the endpoints with the
	// largest ids that wait for the next round.
	rand.Shuffle(len(due), func(i, j int) { due[i], due[j] = due[j], due[i] })
	for _, de := range due {
		d.mu.Lock()
		if d.busy[de.EndpointID] {
			d.mu.Unlock()
			continue
		}
		d.busy[de.EndpointID] = true
		d.mu.Unlock()
		lane, shared := d.laneOf(de.EndpointID)
		if !wait {
			select {
			case lane <- struct{}{}:
			default:
				d.release(de.EndpointID)
				continue // this lane is full; an endpoint of the other may still start
			}
		}
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			n := 0
			defer func() {
				d.release(de.EndpointID)
				d.signalFreed()
				if done != nil {
					done(n)
				}
			}()
			if wait {
				select {
				case lane <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
			h := &hold{lane: lane, shared: shared}
			if d.lease(ctx, de.EndpointID) {
				n = d.sendEndpoint(ctx, h, de.UserID, de.EndpointID)
				d.unlease(ctx, de.EndpointID)
			}
			h.giveBack()
		}()
	}
	return nil
}

// leaseTTL is how long an endpoint's lease lasts without being extended: longer than one
// attempt, which extends it first.
func (d *Deliverer) leaseTTL() time.Duration { return 2*d.client.timeout + 10*time.Second }

func leaseKey(endpointID string) string { return "webhook:endpoint:" + endpointID }

// lease takes the endpoint's lease (always true without Leases).
func (d *Deliverer) lease(ctx context.Context, endpointID string) bool {
	if d.leases == nil {
		return true
	}
	ok, err := d.leases.Acquire(ctx, leaseKey(endpointID), d.owner, d.leaseTTL())
	return err == nil && ok
}

// extend renews the endpoint's lease before an attempt, reporting whether it is still held.
func (d *Deliverer) extend(ctx context.Context, endpointID string) bool {
	if d.leases == nil {
		return true
	}
	ok, err := d.leases.Extend(ctx, leaseKey(endpointID), d.owner, d.leaseTTL())
	return err == nil && ok
}

func (d *Deliverer) unlease(ctx context.Context, endpointID string) {
	if d.leases != nil {
		_ = d.leases.Release(context.WithoutCancel(ctx), leaseKey(endpointID), d.owner)
	}
}

// release marks the endpoint free again.
func (d *Deliverer) release(endpointID string) {
	d.mu.Lock()
	delete(d.busy, endpointID)
	d.mu.Unlock()
}

// RunOnce fans out new events and sends every due delivery, waiting for the sends: a step for
// tests and for jobs. It returns how many attempts succeeded.
func (d *Deliverer) RunOnce(ctx context.Context) (int, error) {
	if !d.constructed() {
		return 0, errDelivererNotConstructed
	}
	if _, err := d.FanOut(ctx); err != nil {
		return 0, err
	}
	return d.DeliverDue(ctx)
}

// Run delivers until ctx ends: it fans out (every endpoint once per poll interval, the endpoints
// of users named by NotifyUser at once), starts the senders of due endpoints that have none
// running and a free slot, and sleeps until a notification, the poll interval, or a sender's
// end. It never waits for a receiver. It returns ctx's error once every sender has stopped (EINVALID at
// once on a Deliverer not built by NewDeliverer).
func (d *Deliverer) Run(ctx context.Context) error {
	if !d.constructed() {
		return errDelivererNotConstructed
	}
	defer d.wg.Wait()
	var swept time.Time
	for {
		var err error
		if time.Since(swept) >= d.poll {
			swept = time.Now()
			d.mu.Lock()
			clear(d.dirty)
			d.mu.Unlock()
			_, err = d.FanOut(ctx)
		} else {
			err = d.fanOutDirty(ctx)
		}
		if err == nil {
			err = d.startDue(ctx, false, nil)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && coach.ErrorCode(err) == coach.EINTERNAL {
			d.log.ErrorContext(ctx, "webhook: delivery round failed", "err", err)
		}
		timer := time.NewTimer(d.poll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-d.wake:
		case <-d.freed:
		case <-timer.C:
		}
		timer.Stop()
	}
}
