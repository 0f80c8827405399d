package memory

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// Scheduler defaults.
const (
	// DefaultPoll is how often a started Scheduler reads its clock.
	DefaultPoll = time.Second
	// DefaultMaxCatchUp is how many firings of one entry a Tick enqueues at most when the clock
	// has passed several: the latest ones.
	DefaultMaxCatchUp = 48
)

// SchedulerConfig configures a Scheduler. Queue and Schedule are required; zero fields take the
// defaults.
type SchedulerConfig struct {
	// Queue takes each firing's job. Required.
	Queue transport.Queue
	// Schedule is the table of periodic jobs (the host's, e.g. jobs.Schedule()). Required, at
	// least one entry, each with a Cron that parses (UTC).
	Schedule []transport.Periodic
	// Clock tells when firings are due (coach.SystemClock). A test sets a coach.ManualClock and
	// calls Tick after moving it.
	Clock coach.Clock
	// Poll is how often Start's loop calls Tick (DefaultPoll).
	Poll time.Duration
	// MaxCatchUp bounds the firings of one entry a Tick enqueues (DefaultMaxCatchUp).
	MaxCatchUp int
	// Logger receives a line per firing that could not be enqueued or was skipped; nil discards
	// them.
	Logger *slog.Logger
	// OnEnqueue, when set, is told the outcome of each firing's enqueue.
	OnEnqueue func(j transport.Job, e transport.Enqueued, err error)
}

// Scheduler enqueues the jobs of a schedule of periodic jobs in one process, as
// transport/asynq's Scheduler does on Redis: at each firing of an entry's Cron (by the
// configured Clock) it enqueues the entry's Job(firing time), whose deterministic id makes
// several schedulers, or a firing retried, enqueue it once. Firings are counted from the
// Scheduler's construction: each firing after it is enqueued once, in time order, even when the
// clock jumps past several (up to MaxCatchUp, the latest); a firing whose enqueue fails is tried
// again at the next Tick, before the later ones. Build it with NewScheduler; safe for concurrent
// use.
type Scheduler struct {
	cfg     SchedulerConfig
	entries []*entry

	mu      sync.Mutex // serializes Ticks
	life    sync.Mutex // guards the fields below
	started bool
	closed  bool
	stop    context.CancelFunc
	done    chan struct{}
}

// entry is one periodic job and its next firing.
type entry struct {
	p        transport.Periodic
	schedule cron.Schedule
	next     time.Time
}

// NewScheduler returns a Scheduler, not started, whose first firings are the first after the
// clock's present. EINVALID names the first missing or invalid field of cfg.
func NewScheduler(cfg SchedulerConfig) (*Scheduler, error) {
	switch {
	case cfg.Queue == nil:
		return nil, coach.Errorf(coach.EINVALID, "memory: SchedulerConfig.Queue is required")
	case len(cfg.Schedule) == 0:
		return nil, coach.Errorf(coach.EINVALID, "memory: SchedulerConfig.Schedule: want at least one periodic job")
	case cfg.Poll < 0:
		return nil, coach.Errorf(coach.EINVALID, "memory: SchedulerConfig.Poll: negative")
	case cfg.MaxCatchUp < 0:
		return nil, coach.Errorf(coach.EINVALID, "memory: SchedulerConfig.MaxCatchUp: negative")
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.Poll == 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.MaxCatchUp == 0 {
		cfg.MaxCatchUp = DefaultMaxCatchUp
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{cfg: cfg}
	now := cfg.Clock.Now().UTC()
	for _, p := range cfg.Schedule {
		if err := p.Validate(); err != nil {
			return nil, coach.Errorf(coach.EINVALID, "memory: SchedulerConfig.Schedule: %s", coach.ErrorMessage(err))
		}
		sched, err := cron.ParseStandard(p.Cron)
		if err != nil {
			return nil, coach.Errorf(coach.EINVALID, "memory: SchedulerConfig.Schedule: %s: cron %q: %v", p.Name, p.Cron, err)
		}
		s.entries = append(s.entries, &entry{p: p, schedule: sched, next: sched.Next(now)})
	}
	return s, nil
}

// errSchedulerNotConstructed is what a Scheduler not built by NewScheduler answers.
var errSchedulerNotConstructed = coach.Errorf(coach.EINVALID, "memory: Scheduler not constructed; use memory.NewScheduler")

// Tick enqueues the job of every firing due by the clock's present that has not been enqueued
// yet, entry by entry in schedule order, each entry's in time order, and returns how many jobs
// it enqueued (duplicates included). An entry whose enqueue fails stops there until the next
// Tick; Tick then goes on with the other entries and returns the first error.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	if s == nil || s.entries == nil {
		return 0, errSchedulerNotConstructed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Clock.Now().UTC()
	var (
		n     int
		first error
	)
	for _, e := range s.entries {
		due := s.due(e, now)
		for _, at := range due {
			j := e.p.Job(at)
			enq, err := s.cfg.Queue.Enqueue(ctx, j)
			if s.cfg.OnEnqueue != nil {
				s.cfg.OnEnqueue(j, enq, err)
			}
			if err != nil {
				s.cfg.Logger.WarnContext(ctx, "memory scheduler: firing not enqueued, will retry", "name", e.p.Name, "jobId", j.ID,
					"code", string(coach.ErrorCode(err)), "error", coach.ErrorMessage(err))
				if first == nil {
					first = err
				}
				break
			}
			n++
			e.next = e.schedule.Next(at)
		}
	}
	return n, first
}

// due returns the firings of e from e.next up to now, at most MaxCatchUp of them, the latest;
// firings skipped to keep within it are logged and passed over.
func (s *Scheduler) due(e *entry, now time.Time) []time.Time {
	var due []time.Time
	skipped := 0
	for at := e.next; !at.IsZero() && !at.After(now); at = e.schedule.Next(at) {
		if len(due) == s.cfg.MaxCatchUp {
			due = append(due[:0], due[1:]...)
			skipped++
		}
		due = append(due, at)
	}
	if skipped > 0 {
		s.cfg.Logger.Warn("memory scheduler: clock jumped, firings skipped", "name", e.p.Name, "skipped", skipped, "from", e.next)
		e.next = due[0]
	}
	return due
}

// Start calls Tick every Poll in the background until Shutdown. EINVALID if the Scheduler was
// not built by NewScheduler, was started before or was shut down.
func (s *Scheduler) Start() error {
	if s == nil || s.entries == nil {
		return errSchedulerNotConstructed
	}
	s.life.Lock()
	defer s.life.Unlock()
	if s.started || s.closed {
		return coach.Errorf(coach.EINVALID, "memory: Scheduler already started or shut down")
	}
	s.started = true
	ctx, stop := context.WithCancel(context.Background())
	s.stop, s.done = stop, make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(s.cfg.Poll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_, _ = s.Tick(ctx) // failures are logged; they are tried again at the next tick
			}
		}
	}()
	return nil
}

// Shutdown stops the loop Start began and waits for a Tick in progress. Safe to call more than
// once, and on a Scheduler never started.
func (s *Scheduler) Shutdown() {
	if s == nil {
		return
	}
	s.life.Lock()
	s.closed = true
	stop, done := s.stop, s.done
	s.life.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}
