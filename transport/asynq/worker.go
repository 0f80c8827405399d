package asynq

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// Worker defaults. The in-memory queue has the same.
const (
	DefaultConcurrency     = 10
	DefaultShutdownTimeout = 30 * time.Second
	DefaultPollInterval    = time.Second
)

// WorkerConfig configures a Worker. Zero fields take the defaults.
type WorkerConfig struct {
	// Concurrency is how many jobs run at once (DefaultConcurrency).
	Concurrency int
	// Queues are the queues served, with their weights (transport.Priorities).
	Queues map[string]int
	// StrictPriority takes a job of a queue only when every queue of higher weight is empty;
	// otherwise asynq orders the queues at random by weight for each job.
	StrictPriority bool
	// ShutdownTimeout is how long Shutdown waits for jobs in flight before pushing them back to
	// Redis (DefaultShutdownTimeout).
	ShutdownTimeout time.Duration
	// Backoff is the delay before a retry (transport.DefaultBackoff). asynq moves due retries
	// every PollInterval, at one-second granularity.
	Backoff transport.Backoff
	// PollInterval is how often an idle worker looks for ready jobs, moves due delayed jobs and
	// retries to their queue, and removes completed jobs past their retention
	// (DefaultPollInterval). Each look is a Redis round trip.
	PollInterval time.Duration
	// LogLevel is the least severe asynq message passed to the Queue's Logger (asynq.WarnLevel).
	LogLevel asynq.LogLevel
}

// Worker is a transport.Worker: an asynq server running the Queue's jobs. Several workers, in one
// process or many, may serve the same Redis.
type Worker struct {
	q   *Queue
	srv *asynq.Server
}

var _ transport.Worker = (*Worker)(nil)

// NewWorker returns a worker of q, not started. EINVALID if cfg has a negative field or a queue
// of weight below 1.
func (q *Queue) NewWorker(cfg WorkerConfig) (*Worker, error) {
	switch {
	case !q.constructed():
		return nil, errNotConstructed
	case cfg.Concurrency < 0:
		return nil, coach.Errorf(coach.EINVALID, "asynq: WorkerConfig.Concurrency: negative")
	case cfg.ShutdownTimeout < 0:
		return nil, coach.Errorf(coach.EINVALID, "asynq: WorkerConfig.ShutdownTimeout: negative")
	case cfg.PollInterval < 0:
		return nil, coach.Errorf(coach.EINVALID, "asynq: WorkerConfig.PollInterval: negative")
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Backoff == nil {
		cfg.Backoff = transport.DefaultBackoff
	}
	if len(cfg.Queues) == 0 {
		cfg.Queues = transport.Priorities()
	}
	if cfg.LogLevel == 0 {
		cfg.LogLevel = asynq.WarnLevel
	}
	for name, weight := range cfg.Queues {
		if weight < 1 || name == "" {
			return nil, coach.Errorf(coach.EINVALID, "asynq worker: queue %q: weight %d, want a name and a weight ≥ 1", name, weight)
		}
	}
	w := &Worker{q: q}
	backoff := cfg.Backoff
	w.srv = asynq.NewServerFromRedisClient(q.redis, asynq.Config{
		Concurrency:    cfg.Concurrency,
		Queues:         cfg.Queues,
		StrictPriority: cfg.StrictPriority,
		// asynq counts retries done (0 after the first failure); Backoff counts failures.
		RetryDelayFunc:           func(n int, _ error, _ *asynq.Task) time.Duration { return backoff(n + 1) },
		ErrorHandler:             asynq.ErrorHandlerFunc(w.handleError),
		ShutdownTimeout:          cfg.ShutdownTimeout,
		TaskCheckInterval:        cfg.PollInterval,
		DelayedTaskCheckInterval: cfg.PollInterval,
		JanitorInterval:          cfg.PollInterval,
		Logger:                   logger{q.cfg.Logger},
		LogLevel:                 cfg.LogLevel,
	})
	return w, nil
}

// Start runs jobs with h in the background. It fails with EINVALID when called twice or after
// Shutdown.
func (w *Worker) Start(h transport.Handler) error {
	if w == nil || w.srv == nil {
		return coach.Errorf(coach.EINVALID, "asynq: Worker not constructed; use Queue.NewWorker")
	}
	if h == nil {
		return coach.Errorf(coach.EINVALID, "asynq worker: nil handler")
	}
	if err := w.srv.Start(asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		return process(ctx, h, t)
	})); err != nil {
		return coach.Errorf(coach.EINVALID, "asynq worker: %v", err)
	}
	return nil
}

// Shutdown stops taking jobs and waits up to ShutdownTimeout for those in flight; the ones still
// running then are pushed back to Redis and their context cancelled. Safe to call more than once;
// a Worker not built by Queue.NewWorker has nothing to stop.
func (w *Worker) Shutdown() {
	if w == nil || w.srv == nil {
		return
	}
	w.srv.Shutdown()
}

// process runs one attempt of task with h. An EINVALID error skips the retries.
func process(ctx context.Context, h transport.Handler, t *asynq.Task) error {
	j := transport.Job{Type: t.Type(), Payload: t.Payload()}
	j.ID, _ = asynq.GetTaskID(ctx)
	j.Queue, _ = asynq.GetQueueName(ctx)
	j.MaxRetry, _ = asynq.GetMaxRetry(ctx) // Timeout is in ctx's deadline
	err := h(ctx, j)
	if err != nil && coach.ErrorCode(err) == coach.EINVALID {
		return skipRetry{err}
	}
	return err
}

// skipRetry is an error that asynq archives at once; its text is the handler's.
type skipRetry struct{ err error }

func (e skipRetry) Error() string   { return e.err.Error() }
func (e skipRetry) Unwrap() []error { return []error{e.err, asynq.SkipRetry} }

// handleError runs after every failed attempt, before asynq retries or archives the task: on the
// last one it mirrors the task to storage.DeadLetters. A dead letter that cannot be stored is
// logged; the task is still in asynq's archive, and Queue.MirrorArchived copies it later.
func (w *Worker) handleError(ctx context.Context, t *asynq.Task, err error) {
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	if errors.Is(err, asynq.RevokeTask) || (retried < maxRetry && !errors.Is(err, asynq.SkipRetry)) {
		return
	}
	id, _ := asynq.GetTaskID(ctx)
	queue, _ := asynq.GetQueueName(ctx)
	d := storage.DeadLetter{
		ID:       transport.DeadLetterID(queue, id),
		Queue:    queue,
		TaskType: t.Type(),
		TaskID:   id,
		Payload:  t.Payload(),
		Error:    err.Error(),
		Attempts: retried + 1,
		FailedAt: time.Now().UTC(),
	}
	// The attempt's context may be past its deadline already.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := w.q.cfg.DeadLetters.Add(sctx, d); err != nil {
		w.q.cfg.Logger.Error("asynq: storing a dead letter failed; it stays in asynq's archive",
			"deadLetterId", d.ID, "jobType", d.TaskType, "error", err)
	}
}
