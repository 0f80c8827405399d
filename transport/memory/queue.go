package memory

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// Queue defaults: transport's, shared by every queue adapter.
const (
	DefaultMaxRetry  = transport.DefaultMaxRetry
	DefaultTimeout   = transport.DefaultTimeout
	DefaultRetention = transport.DefaultRetention
)

// QueueConfig configures a Queue. Zero fields take the defaults.
type QueueConfig struct {
	// DeadLetters stores the jobs that failed their last attempt; Requeue takes them from it.
	// Required.
	DeadLetters storage.DeadLetters
	// MaxRetry, Timeout and Retention apply to jobs that leave theirs zero (DefaultMaxRetry,
	// DefaultTimeout, DefaultRetention).
	MaxRetry  int
	Timeout   time.Duration
	Retention time.Duration
	// Logger receives the dead letters that could not be stored; nil discards them.
	Logger *slog.Logger
}

// Queue is an in-process transport.Queue and transport.Requeuer with the semantics of the asynq
// adapter: an id is taken while its job is queued, running or dead-lettered, and for the job's
// Retention after it completed; each queue keeps its jobs in a heap by the time they are ready
// (ProcessAt, or a retry's backoff); Workers made by NewWorker run them. Jobs live in memory: an
// accepted job runs at least once as long as the process lives. Safe for concurrent use; the zero
// value is not usable, call NewQueue.
type Queue struct {
	cfg QueueConfig

	mu      sync.Mutex
	tasks   map[string]*task        // every taken id, by key(queue, id)
	ready   map[string]*heap[*task] // per queue: the tasks waiting to run, by readyAt
	expiry  *heap[*task]            // completed tasks by expireAt
	active  map[string]int          // per queue: the tasks in stateActive
	seq     uint64                  // enqueue order, breaking readyAt ties
	changed chan struct{}           // closed (and replaced) when a task is pushed, if watched
	watched bool                    // a worker waits on changed
}

type taskState int

const (
	statePending   taskState = iota // in its queue's ready heap (new, delayed, retrying or returned)
	stateActive                     // an attempt is running
	stateCompleted                  // succeeded; in the expiry heap until its retention ends
	stateDead                       // dead-lettered; the id stays taken until Requeue
)

// task is a job's state in the queue. Its fields are guarded by Queue.mu.
type task struct {
	job      transport.Job // with the queue's defaults applied
	key      string
	state    taskState
	readyAt  time.Time
	seq      uint64
	failures int       // failed attempts so far
	attempt  uint64    // generation of the running attempt: a stale attempt's outcome is ignored
	expireAt time.Time // when a completed task's id is released
}

func key(queue, id string) string { return queue + "\x00" + id }

// NewQueue returns an empty queue, or EINVALID if cfg has no DeadLetters or a negative default.
func NewQueue(cfg QueueConfig) (*Queue, error) {
	switch {
	case cfg.DeadLetters == nil:
		return nil, coach.Errorf(coach.EINVALID, "memory: QueueConfig.DeadLetters is required")
	case cfg.MaxRetry < 0:
		return nil, coach.Errorf(coach.EINVALID, "memory: QueueConfig.MaxRetry: negative")
	case cfg.Timeout < 0:
		return nil, coach.Errorf(coach.EINVALID, "memory: QueueConfig.Timeout: negative")
	case cfg.Retention < 0:
		return nil, coach.Errorf(coach.EINVALID, "memory: QueueConfig.Retention: negative")
	}
	if cfg.MaxRetry == 0 {
		cfg.MaxRetry = DefaultMaxRetry
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Retention == 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Queue{
		cfg:     cfg,
		tasks:   make(map[string]*task),
		ready:   make(map[string]*heap[*task]),
		expiry:  newHeap(func(a, b *task) bool { return a.expireAt.Before(b.expireAt) }),
		active:  make(map[string]int),
		changed: make(chan struct{}),
	}, nil
}

// errQueueNotConstructed is what a Queue not built by NewQueue answers.
var errQueueNotConstructed = coach.Errorf(coach.EINVALID, "memory: Queue not constructed; use memory.NewQueue")

// Enqueue accepts j unless its id is taken, in which case it reports Duplicate and changes
// nothing. EINVALID if j is invalid.
func (q *Queue) Enqueue(ctx context.Context, j transport.Job) (transport.Enqueued, error) {
	if q == nil || q.tasks == nil {
		return transport.Enqueued{}, errQueueNotConstructed
	}
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return transport.Enqueued{}, ce
	}
	if err := j.Validate(); err != nil {
		return transport.Enqueued{}, err
	}
	j.Payload = bytes.Clone(j.Payload)
	if j.MaxRetry == 0 {
		j.MaxRetry = q.cfg.MaxRetry
	}
	if j.Timeout == 0 {
		j.Timeout = q.cfg.Timeout
	}
	if j.Retention == 0 {
		j.Retention = q.cfg.Retention
	}
	now := time.Now()
	readyAt := now
	if j.ProcessAt.After(now) {
		readyAt = j.ProcessAt
	}
	k := key(j.Queue, j.ID)

	q.mu.Lock()
	defer q.mu.Unlock()
	q.expireLocked(now)
	if _, taken := q.tasks[k]; taken {
		return transport.Enqueued{Duplicate: true}, nil
	}
	t := &task{job: j, key: k, readyAt: readyAt}
	q.tasks[k] = t
	q.pushLocked(t)
	return transport.Enqueued{}, nil
}

// Requeue takes the dead letter id from storage and enqueues its job again with a fresh retry
// budget; ENOTFOUND if there is no such dead letter. If the enqueue fails the dead letter is
// stored again.
func (q *Queue) Requeue(ctx context.Context, deadLetterID string) (transport.Enqueued, error) {
	if q == nil || q.tasks == nil {
		return transport.Enqueued{}, errQueueNotConstructed
	}
	d, err := q.cfg.DeadLetters.Take(ctx, deadLetterID)
	if err != nil {
		return transport.Enqueued{}, err
	}
	q.mu.Lock()
	if t, ok := q.tasks[key(d.Queue, d.TaskID)]; ok && t.state == stateDead {
		delete(q.tasks, t.key)
	}
	q.mu.Unlock()
	got, err := q.Enqueue(ctx, transport.Job{Type: d.TaskType, ID: d.TaskID, Queue: d.Queue, Payload: d.Payload})
	if err != nil {
		if addErr := q.cfg.DeadLetters.Add(context.WithoutCancel(ctx), d); addErr != nil {
			q.cfg.Logger.Error("memory queue: dead letter lost on a failed requeue",
				"deadLetterId", d.ID, "error", addErr)
		}
		return transport.Enqueued{}, err
	}
	return got, nil
}

// pushLocked puts t in its queue's ready heap after every task ready at the same time.
func (q *Queue) pushLocked(t *task) {
	q.seq++
	t.seq = q.seq
	q.insertLocked(t)
}

// insertLocked puts t in its queue's ready heap and wakes the waiting workers.
func (q *Queue) insertLocked(t *task) {
	t.state = statePending
	h := q.ready[t.job.Queue]
	if h == nil {
		h = newHeap(func(a, b *task) bool {
			if !a.readyAt.Equal(b.readyAt) {
				return a.readyAt.Before(b.readyAt)
			}
			return a.seq < b.seq
		})
		q.ready[t.job.Queue] = h
	}
	h.push(t)
	if q.watched {
		close(q.changed)
		q.changed = make(chan struct{})
		q.watched = false
	}
}

// expireLocked releases the ids of completed tasks whose retention ended by now.
func (q *Queue) expireLocked(now time.Time) {
	for {
		t, ok := q.expiry.peek()
		if !ok || t.expireAt.After(now) {
			return
		}
		q.expiry.pop()
		if q.tasks[t.key] == t && t.state == stateCompleted {
			delete(q.tasks, t.key)
		}
	}
}

// take starts an attempt of the first ready task of the queues in order. With none ready it
// returns when the next one of those queues will be (zero if none) and a channel closed when a
// task is pushed.
func (q *Queue) take(order []string, now time.Time) (t *task, attempt uint64, j transport.Job, next time.Time, changed <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, name := range order {
		h := q.ready[name]
		if h == nil {
			continue
		}
		top, ok := h.peek()
		if !ok {
			continue
		}
		if top.readyAt.After(now) {
			if next.IsZero() || top.readyAt.Before(next) {
				next = top.readyAt
			}
			continue
		}
		h.pop()
		top.state = stateActive
		q.active[name]++
		top.attempt++
		j = top.job
		j.Payload = bytes.Clone(j.Payload)
		return top, top.attempt, j, time.Time{}, nil
	}
	q.watched = true
	return nil, 0, transport.Job{}, next, q.changed
}

// finish records the outcome of attempt of t: completed, retried after backoff, or dead (then it
// returns the dead letter to store). The outcome of a stale attempt (one returned to the queue at
// shutdown) is ignored.
func (q *Queue) finish(t *task, attempt uint64, err error, backoff transport.Backoff, now time.Time) (storage.DeadLetter, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t.attempt != attempt || t.state != stateActive {
		return storage.DeadLetter{}, false
	}
	q.active[t.job.Queue]--
	if err == nil {
		t.state = stateCompleted
		t.expireAt = now.Add(t.job.Retention)
		q.expiry.push(t)
		q.expireLocked(now)
		return storage.DeadLetter{}, false
	}
	t.failures++
	if coach.ErrorCode(err) == coach.EINVALID || t.failures > t.job.MaxRetry {
		t.state = stateDead
		return storage.DeadLetter{
			ID:       transport.DeadLetterID(t.job.Queue, t.job.ID),
			Queue:    t.job.Queue,
			TaskType: t.job.Type,
			TaskID:   t.job.ID,
			Payload:  bytes.Clone(t.job.Payload),
			Error:    err.Error(),
			Attempts: t.failures,
			FailedAt: now.UTC(),
		}, true
	}
	t.readyAt = now.Add(backoff(t.failures))
	q.pushLocked(t)
	return storage.DeadLetter{}, false
}

// giveBack returns the task of a running attempt to its queue, as it was before the attempt.
func (q *Queue) giveBack(t *task, attempt uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t.attempt != attempt || t.state != stateActive {
		return
	}
	q.active[t.job.Queue]--
	q.insertLocked(t) // keeps its readyAt and seq: its place in the queue
}

// storeDeadLetter mirrors d to storage; the task stays dead (its id taken) either way.
func (q *Queue) storeDeadLetter(d storage.DeadLetter) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.cfg.DeadLetters.Add(ctx, d); err != nil {
		q.cfg.Logger.Error("memory queue: storing a dead letter failed",
			"deadLetterId", d.ID, "jobType", d.TaskType, "error", err)
	}
}
