package asynq

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/robfig/cron/v3"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// DefaultWeeklyCron fires at the start of every ISO week: Mondays at 00:00.
const DefaultWeeklyCron = "0 0 * * 1"

// SchedulerConfig configures a Scheduler. Zero fields take the defaults.
type SchedulerConfig struct {
	// Cron is when to enqueue, a standard five-field cron spec or a descriptor such as "@every
	// 1h" (DefaultWeeklyCron).
	Cron string
	// Location is the time zone of Cron (UTC).
	Location *time.Location
	// Job returns the job to enqueue for the firing at a time (transport.WeeklyDigestJob). Its ID
	// must depend only on the period at falls in, so that every scheduler firing for that period
	// makes the same id and the job is enqueued once.
	Job func(at time.Time) transport.Job
	// OnEnqueue, when set, is told the outcome of each firing (after any retry succeeded, or
	// the last one failed).
	OnEnqueue func(j transport.Job, e transport.Enqueued, err error)
}

// Scheduler enqueues a periodic job with asynq.Scheduler, safe with several schedulers running:
// each firing enqueues Job(at) with its deterministic id, so however many schedulers fire for a
// period, one job runs (the others get Duplicate). asynq.Scheduler registers an entry's options
// once, so the Scheduler registers each firing's job anew once the previous one has fired. A
// firing that finds Redis down is retried with backoff until it succeeds or the next firing is
// due.
type Scheduler struct {
	q        *Queue
	cfg      SchedulerConfig
	schedule cron.Schedule
	s        *asynq.Scheduler

	mu      sync.Mutex
	entryID string
	job     transport.Job // the job of the registered firing
	closed  bool
	ctx     context.Context // cancelled by Shutdown, for retries
	cancel  context.CancelFunc
	retries sync.WaitGroup
}

// NewScheduler returns a scheduler of q, not started. EINVALID if Cron does not parse.
func (q *Queue) NewScheduler(cfg SchedulerConfig) (*Scheduler, error) {
	if !q.constructed() {
		return nil, errNotConstructed
	}
	if cfg.Cron == "" {
		cfg.Cron = DefaultWeeklyCron
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Job == nil {
		cfg.Job = transport.WeeklyDigestJob
	}
	schedule, err := cron.ParseStandard(cfg.Cron)
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "asynq: SchedulerConfig.Cron: %q: %v", cfg.Cron, err)
	}
	s := &Scheduler{q: q, cfg: cfg, schedule: schedule}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.s = asynq.NewSchedulerFromRedisClient(q.redis, &asynq.SchedulerOpts{
		Location:        cfg.Location,
		Logger:          logger{q.cfg.Logger},
		LogLevel:        asynq.WarnLevel,
		PostEnqueueFunc: s.fired,
	})
	return s, nil
}

// Start registers the next firing and starts the scheduler.
func (s *Scheduler) Start() error {
	if s == nil || s.s == nil {
		return coach.Errorf(coach.EINVALID, "asynq: Scheduler not constructed; use Queue.NewScheduler")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.registerLocked(time.Now()); err != nil {
		return err
	}
	if err := s.s.Start(); err != nil {
		return coach.Errorf(coach.EINVALID, "asynq scheduler: %v", err)
	}
	return nil
}

// Shutdown stops firing, waits for a firing in progress and abandons its retries. Safe to call
// more than once; a Scheduler not built by Queue.NewScheduler has nothing to stop.
func (s *Scheduler) Shutdown() {
	if s == nil || s.s == nil {
		return
	}
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.s.Shutdown()
	s.retries.Wait()
}

// registerLocked registers the job of the first firing after now, replacing the registered one.
func (s *Scheduler) registerLocked(now time.Time) error {
	next := s.schedule.Next(now.In(s.cfg.Location))
	j := s.cfg.Job(next)
	if err := j.Validate(); err != nil {
		return err
	}
	if s.entryID != "" {
		_ = s.s.Unregister(s.entryID)
		s.entryID = ""
	}
	id, err := s.s.Register(s.cfg.Cron, asynq.NewTask(j.Type, j.Payload), s.q.options(j)...)
	if err != nil {
		return coach.Errorf(coach.EINVALID, "asynq scheduler: register %s: %v", j.ID, err)
	}
	s.entryID, s.job = id, j
	return nil
}

// fired runs after each firing's enqueue: it reports the outcome, retries a failed enqueue and
// registers the next firing's job.
func (s *Scheduler) fired(_ *asynq.TaskInfo, err error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	j, now := s.job, time.Now()
	if rerr := s.registerLocked(now); rerr != nil {
		s.q.cfg.Logger.Error("asynq scheduler: cannot register the next firing", "error", rerr)
	}
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
		until := s.schedule.Next(now.In(s.cfg.Location))
		s.retries.Go(func() { s.retry(j, until) })
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	if s.cfg.OnEnqueue != nil {
		s.cfg.OnEnqueue(j, transport.Enqueued{Duplicate: err != nil}, nil)
	}
}

// retry enqueues j with backoff until it succeeds, the next firing is due or Shutdown.
func (s *Scheduler) retry(j transport.Job, until time.Time) {
	backoff := transport.ExponentialBackoff(time.Second, time.Minute)
	var e transport.Enqueued
	var err error
	for n := 1; ; n++ {
		e, err = s.q.Enqueue(s.ctx, j)
		if err == nil || s.ctx.Err() != nil || time.Now().After(until) {
			break
		}
		select {
		case <-time.After(backoff(n)):
		case <-s.ctx.Done():
		}
	}
	if err != nil {
		s.q.cfg.Logger.Error("asynq scheduler: firing lost", "jobId", j.ID, "error", err)
	}
	if s.cfg.OnEnqueue != nil {
		s.cfg.OnEnqueue(j, e, err)
	}
}
