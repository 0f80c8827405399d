package transport

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/tradecoach/coach"
)

// Worker runs the jobs of a queue with one Handler, several at a time, until it is shut down.
//
// Failures: a handler error or panic (a panic is an error) retries the job after the worker's
// Backoff, until the job's MaxRetry is exhausted; an error whose coach.ErrorCode is EINVALID is
// not retried. Either way the job is then dead-lettered: stored in storage.DeadLetters under
// DeadLetterID(queue, id), and its ID stays taken (Enqueue reports Duplicate) until it is
// requeued. Each attempt's context carries the job's Timeout as its deadline.
type Worker interface {
	// Start begins running jobs with h in the background and returns at once.
	Start(h Handler) error

	// Shutdown stops taking jobs and waits for the jobs in flight, up to the worker's shutdown
	// grace period. A job still running then has its context cancelled and is returned to its
	// queue, not counted as a failure: it runs again (handlers are idempotent). After Shutdown
	// returns no handler of this worker is called again.
	Shutdown()
}

// Requeuer puts dead-lettered jobs back on their queue.
type Requeuer interface {
	// Requeue takes the dead letter id out of storage and enqueues its job again with a fresh
	// retry budget (the queue's default MaxRetry and Timeout). ENOTFOUND if there is no such dead
	// letter. If the enqueue fails the dead letter is stored again.
	Requeue(ctx context.Context, deadLetterID string) (Enqueued, error)
}

// DeadLetterID is the storage.DeadLetter ID of job id of queue: the same job failing again
// replaces its dead letter.
func DeadLetterID(queue, id string) string { return queue + ":" + id }

// Priorities returns the queues of the workers stack with their weights: with every queue
// non-empty, a worker takes jobs from q_import, q_score, q_sim and q_digest 40%, 30%, 20% and 10%
// of the time (or strictly in that order when a worker is configured for strict priority).
func Priorities() map[string]int {
	return map[string]int{QueueImport: 4, QueueScore: 3, QueueSim: 2, QueueDigest: 1}
}

// Backoff tells how long to wait before retrying a job that has failed n times (n ≥ 1).
type Backoff func(n int) time.Duration

// ExponentialBackoff returns a Backoff of base·2^(n−1), at most max, less up to 10% jitter so that
// jobs failing together do not retry together.
func ExponentialBackoff(base, max time.Duration) Backoff {
	return func(n int) time.Duration {
		d := base
		for i := 1; i < n && d < max; i++ {
			d *= 2
		}
		d = min(d, max)
		if d > 0 {
			d -= time.Duration(rand.Int64N(int64(d)/10 + 1))
		}
		return d
	}
}

// DefaultBackoff waits 10 s after the first failure, doubling up to an hour.
var DefaultBackoff = ExponentialBackoff(10*time.Second, time.Hour)

// MuxConfig is what a Mux needs: nothing is required.
type MuxConfig struct {
	// Logger receives a line per failed job (faults as errors, others as warnings); nil discards
	// them.
	Logger *slog.Logger
	// Metrics receives jobs_run_total and job_duration_seconds by job type and outcome
	// (coach.MetricTable); nil means coach.NopMetrics.
	Metrics coach.Metrics
}

// Mux routes jobs to handlers by Type and counts and times every job it runs; its Run method is
// the Handler to give a Worker. It is safe for concurrent use. Build it with NewMux; a Mux not
// built that way refuses Handle and Run with EINVALID.
type Mux struct {
	mu       sync.RWMutex
	handlers map[string]Handler
	log      *slog.Logger
	metrics  coach.Metrics
}

// NewMux returns an empty Mux.
func NewMux(cfg MuxConfig) (*Mux, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = coach.NopMetrics{}
	}
	return &Mux{handlers: make(map[string]Handler), log: cfg.Logger, metrics: cfg.Metrics}, nil
}

// errMuxNotConstructed is what a Mux not built by NewMux answers.
var errMuxNotConstructed = coach.Errorf(coach.EINVALID, "transport: Mux not constructed; use transport.NewMux")

// Handle registers h for jobs of jobType. EINVALID if jobType is empty, h is nil or jobType
// already has a handler.
func (m *Mux) Handle(jobType string, h Handler) error {
	if m == nil || m.handlers == nil {
		return errMuxNotConstructed
	}
	if jobType == "" || h == nil {
		return coach.Errorf(coach.EINVALID, "transport: Mux.Handle: empty job type or nil handler")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.handlers[jobType]; ok {
		return coach.Errorf(coach.EINVALID, "transport: Mux.Handle: job type %q registered twice", jobType)
	}
	m.handlers[jobType] = h
	return nil
}

// Run runs the handler registered for j.Type. A job of a type with no handler fails with
// EINVALID, so it is dead-lettered at once (and can be requeued once a handler is deployed).
// Every job run is counted and timed by type and outcome (a handler that panics counts as
// internal, and the panic goes on to the Worker).
func (m *Mux) Run(ctx context.Context, j Job) (err error) {
	if m == nil || m.handlers == nil {
		return errMuxNotConstructed
	}
	m.mu.RLock()
	h, ok := m.handlers[j.Type]
	m.mu.RUnlock()
	if !ok {
		err = coach.Errorf(coach.EINVALID, "job %s: no handler for type %q", j.ID, j.Type)
		m.metrics.Count(coach.MetricJobsRun, 1, "type", "unknown", "outcome", string(coach.EINVALID))
		m.log.WarnContext(ctx, "job has no handler", "jobId", j.ID, "type", j.Type)
		return err
	}
	start := time.Now()
	panicked := true
	defer func() {
		outcome := coach.Outcome(err)
		if panicked {
			outcome = string(coach.EINTERNAL)
		}
		m.metrics.Count(coach.MetricJobsRun, 1, "type", j.Type, "outcome", outcome)
		m.metrics.Observe(coach.MetricJobDuration, time.Since(start), "type", j.Type, "outcome", outcome)
		switch {
		case panicked:
			m.log.ErrorContext(ctx, "job panicked", "jobId", j.ID, "type", j.Type)
		case outcome == string(coach.EINTERNAL):
			m.log.ErrorContext(ctx, "job failed", "jobId", j.ID, "type", j.Type, "err", err)
		case err != nil:
			m.log.WarnContext(ctx, "job failed", "jobId", j.ID, "type", j.Type, "code", outcome)
		}
	}()
	err = h(ctx, j)
	panicked = false
	return err
}

// WeeklyDigestJob returns the fan-out job that starts the weekly digests of the last complete ISO
// week before at (in at's location): type digest.weekly on q_digest, ID "digest.weekly:{isoWeek}"
// and payload {"week":"{isoWeek}"}, e.g. "2026-W04". Every scheduler firing in the same week makes
// the same ID, so several schedulers enqueue it once.
func WeeklyDigestJob(at time.Time) Job {
	week := ISOWeek(at.AddDate(0, 0, -7))
	return Job{
		Type:      JobDigestWeekly,
		ID:        "digest.weekly:" + week,
		Queue:     QueueDigest,
		Payload:   []byte(`{"week":"` + week + `"}`),
		Retention: 8 * 24 * time.Hour,
	}
}

// ISOWeek formats the ISO 8601 week of t (in t's location) as "2026-W04".
func ISOWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Job defaults shared by every queue adapter, for jobs that leave MaxRetry, Timeout or Retention
// zero, so that a job behaves the same on the in-memory queue and on asynq.
const (
	DefaultMaxRetry  = 10
	DefaultTimeout   = 30 * time.Minute
	DefaultRetention = 24 * time.Hour
)
