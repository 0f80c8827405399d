package memory

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// Worker defaults, the same as the asynq adapter's.
const (
	DefaultConcurrency   = 10
	DefaultShutdownGrace = 30 * time.Second
)

// WorkerConfig configures a Worker. Zero fields take the defaults.
type WorkerConfig struct {
	// Concurrency is how many jobs run at once (DefaultConcurrency).
	Concurrency int
	// Queues are the queues served, with their weights (transport.Priorities).
	Queues map[string]int
	// StrictPriority takes a job of a queue only when every queue of higher weight has none
	// ready; otherwise each take orders the queues at random by weight, as asynq does.
	StrictPriority bool
	// ShutdownGrace is how long Shutdown waits for jobs in flight (DefaultShutdownGrace).
	ShutdownGrace time.Duration
	// Backoff is the delay before a retry (transport.DefaultBackoff). It is called with the queue
	// locked and must return quickly.
	Backoff transport.Backoff
}

// Worker runs the jobs of a Queue: a transport.Worker. Several workers may serve one queue.
type Worker struct {
	q      *Queue
	cfg    WorkerConfig
	weight []string // each queue repeated by its weight, for a weighted random order
	strict []string // queues by weight, highest first, when StrictPriority

	mu       sync.Mutex
	started  bool
	quit     chan struct{} // closed by Shutdown: take no more jobs
	abort    chan struct{} // closed when the grace period ends: give running jobs back
	wg       sync.WaitGroup
	shutdown sync.Once
}

// NewWorker returns a worker of q, not started. EINVALID if cfg has a negative field or a queue
// of weight below 1.
func (q *Queue) NewWorker(cfg WorkerConfig) (*Worker, error) {
	switch {
	case q == nil || q.tasks == nil:
		return nil, errQueueNotConstructed
	case cfg.Concurrency < 0:
		return nil, coach.Errorf(coach.EINVALID, "memory: WorkerConfig.Concurrency: negative")
	case cfg.ShutdownGrace < 0:
		return nil, coach.Errorf(coach.EINVALID, "memory: WorkerConfig.ShutdownGrace: negative")
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = DefaultShutdownGrace
	}
	if cfg.Backoff == nil {
		cfg.Backoff = transport.DefaultBackoff
	}
	if len(cfg.Queues) == 0 {
		cfg.Queues = transport.Priorities()
	}
	w := &Worker{q: q, cfg: cfg, quit: make(chan struct{}), abort: make(chan struct{})}
	for name, weight := range cfg.Queues {
		if weight < 1 || name == "" {
			return nil, coach.Errorf(coach.EINVALID, "memory: WorkerConfig.Queues: queue %q: weight %d, want a name and a weight ≥ 1", name, weight)
		}
		for range weight {
			w.weight = append(w.weight, name)
		}
		w.strict = append(w.strict, name)
	}
	slices.SortFunc(w.strict, func(a, b string) int {
		if c := cmp.Compare(cfg.Queues[b], cfg.Queues[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	if !cfg.StrictPriority {
		w.strict = nil
	}
	return w, nil
}

// Start runs jobs with h on Concurrency goroutines. It fails with EINVALID when called twice or
// after Shutdown.
func (w *Worker) Start(h transport.Handler) error {
	if w == nil || w.q == nil {
		return coach.Errorf(coach.EINVALID, "memory: Worker not constructed; use Queue.NewWorker")
	}
	if h == nil {
		return coach.Errorf(coach.EINVALID, "memory worker: nil handler")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case <-w.quit:
		return coach.Errorf(coach.EINVALID, "memory worker: shut down")
	default:
	}
	if w.started {
		return coach.Errorf(coach.EINVALID, "memory worker: already started")
	}
	w.started = true
	for range w.cfg.Concurrency {
		w.wg.Go(func() { w.loop(h) })
	}
	return nil
}

// Shutdown stops taking jobs and waits for those in flight up to ShutdownGrace; the ones still
// running then are returned to their queue and their context cancelled. Safe to call more than
// once; a Worker not built by Queue.NewWorker has nothing to stop.
func (w *Worker) Shutdown() {
	if w == nil || w.q == nil {
		return
	}
	w.shutdown.Do(func() {
		w.mu.Lock()
		close(w.quit)
		w.mu.Unlock()
		done := make(chan struct{})
		go func() { w.wg.Wait(); close(done) }()
		grace := time.NewTimer(w.cfg.ShutdownGrace)
		defer grace.Stop()
		select {
		case <-done:
		case <-grace.C:
			close(w.abort)
			<-done
		}
	})
}

// loop takes and runs jobs until Shutdown.
func (w *Worker) loop(h transport.Handler) {
	for {
		select {
		case <-w.quit:
			return
		default:
		}
		t, attempt, j, next, changed := w.q.take(w.order(), time.Now())
		if t != nil {
			w.run(h, t, attempt, j)
			continue
		}
		var wake <-chan time.Time
		var timer *time.Timer
		if !next.IsZero() {
			timer = time.NewTimer(time.Until(next))
			wake = timer.C
		}
		select {
		case <-w.quit:
		case <-changed:
		case <-wake:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// order returns the queues to take from, best first.
func (w *Worker) order() []string {
	if w.strict != nil {
		return w.strict
	}
	names := slices.Clone(w.weight)
	rand.Shuffle(len(names), func(i, k int) { names[i], names[k] = names[k], names[i] })
	out := names[:0]
	seen := make(map[string]bool, len(w.cfg.Queues))
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// run makes one attempt of j and records its outcome, or gives the job back if the grace period
// ends first.
func (w *Worker) run(h transport.Handler, t *task, attempt uint64, j transport.Job) {
	ctx, cancel := context.WithTimeout(context.Background(), j.Timeout)
	defer cancel()
	result := make(chan error, 1)
	go func() { result <- call(ctx, h, j) }()
	var err error
	select {
	case err = <-result:
	case <-ctx.Done():
		err = errors.Wrapf(ctx.Err(), "job %s: attempt timed out after %v", j.ID, j.Timeout)
	case <-w.abort:
		cancel()
		w.q.giveBack(t, attempt)
		return
	}
	if d, dead := w.q.finish(t, attempt, err, w.cfg.Backoff, time.Now()); dead {
		w.q.storeDeadLetter(d)
	}
}

// call runs h, turning a panic into an error.
func call(ctx context.Context, h transport.Handler, j transport.Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("job %s: panic: %v", j.ID, r)
		}
	}()
	return h(ctx, j)
}
