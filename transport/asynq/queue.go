package asynq

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	goredis "github.com/redis/go-redis/v9"

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

// Config configures a Queue. Zero fields take the defaults.
type Config struct {
	// DeadLetters stores the jobs that failed their last attempt: the Queue's workers add them,
	// Requeue takes them. Required.
	DeadLetters storage.DeadLetters
	// MaxRetry, Timeout and Retention apply to jobs that leave theirs zero (DefaultMaxRetry,
	// DefaultTimeout, DefaultRetention).
	MaxRetry  int
	Timeout   time.Duration
	Retention time.Duration
	// Logger receives asynq's warnings and the dead letters that could not be stored; nil
	// discards them.
	Logger *slog.Logger
}

// Queue is a transport.Queue and transport.Requeuer on Redis. It is safe for concurrent use.
type Queue struct {
	cfg       Config
	redis     goredis.UniversalClient
	client    *asynq.Client
	inspector *asynq.Inspector
	// inspecting holds a token while Depth reads Redis: asynq's Inspector takes no context, so a
	// read that outlives its caller's context finishes in the background, one at a time.
	inspecting chan struct{}
}

var (
	_ transport.Queue    = (*Queue)(nil)
	_ transport.Requeuer = (*Queue)(nil)
)

// New returns a queue on client, which it shares and does not close: the caller closes client
// after every Queue, Worker and Scheduler made with it is done. EINVALID if cfg has no
// DeadLetters or a negative default.
func New(client goredis.UniversalClient, cfg Config) (*Queue, error) {
	switch {
	case client == nil:
		return nil, coach.Errorf(coach.EINVALID, "asynq: the redis client is required")
	case cfg.DeadLetters == nil:
		return nil, coach.Errorf(coach.EINVALID, "asynq: Config.DeadLetters is required")
	case cfg.MaxRetry < 0:
		return nil, coach.Errorf(coach.EINVALID, "asynq: Config.MaxRetry: negative")
	case cfg.Timeout < 0:
		return nil, coach.Errorf(coach.EINVALID, "asynq: Config.Timeout: negative")
	case cfg.Retention < 0:
		return nil, coach.Errorf(coach.EINVALID, "asynq: Config.Retention: negative")
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
		cfg:        cfg,
		redis:      client,
		client:     asynq.NewClientFromRedisClient(client),
		inspector:  asynq.NewInspectorFromRedisClient(client),
		inspecting: make(chan struct{}, 1),
	}, nil
}

// errNotConstructed is what a Queue not built by New answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "asynq: Queue not constructed; use asynq.New")

func (q *Queue) constructed() bool { return q != nil && q.client != nil }

// Enqueue stores j in Redis and returns once Redis has acknowledged it. An id already taken is
// reported as Duplicate and changes nothing. EINVALID if j is invalid, EUNAVAILABLE if Redis does
// not answer (the job may or may not have been stored: enqueue it again, the id dedupes).
func (q *Queue) Enqueue(ctx context.Context, j transport.Job) (transport.Enqueued, error) {
	if !q.constructed() {
		return transport.Enqueued{}, errNotConstructed
	}
	if err := j.Validate(); err != nil {
		return transport.Enqueued{}, err
	}
	_, err := q.client.EnqueueContext(ctx, asynq.NewTask(j.Type, j.Payload), q.options(j)...)
	switch {
	case errors.Is(err, asynq.ErrTaskIDConflict), errors.Is(err, asynq.ErrDuplicateTask):
		return transport.Enqueued{Duplicate: true}, nil
	case err != nil:
		return transport.Enqueued{}, formatError(ctx, q.redis, "enqueue "+j.ID, err)
	}
	return transport.Enqueued{}, nil
}

// options are the asynq options of j, with the queue's defaults and asynq's whole seconds.
func (q *Queue) options(j transport.Job) []asynq.Option {
	maxRetry, timeout, retention := j.MaxRetry, j.Timeout, j.Retention
	if maxRetry == 0 {
		maxRetry = q.cfg.MaxRetry
	}
	if timeout == 0 {
		timeout = q.cfg.Timeout
	}
	if retention == 0 {
		retention = q.cfg.Retention
	}
	opts := []asynq.Option{
		asynq.TaskID(j.ID),
		asynq.Queue(j.Queue),
		asynq.MaxRetry(maxRetry),
		asynq.Timeout(ceilSecond(timeout)),
		asynq.Retention(ceilSecond(retention)),
	}
	if !j.ProcessAt.IsZero() {
		at := j.ProcessAt.Truncate(time.Second)
		if at.Before(j.ProcessAt) {
			at = at.Add(time.Second)
		}
		opts = append(opts, asynq.ProcessAt(at))
	}
	return opts
}

// ceilSecond rounds d up to a whole second.
func ceilSecond(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}

// Requeue takes the dead letter id from storage, removes the job from asynq's archive (which
// holds its id) and enqueues it again with a fresh retry budget. ENOTFOUND if there is no such
// dead letter. If the job cannot be enqueued the dead letter is stored again.
func (q *Queue) Requeue(ctx context.Context, deadLetterID string) (transport.Enqueued, error) {
	if !q.constructed() {
		return transport.Enqueued{}, errNotConstructed
	}
	d, err := q.cfg.DeadLetters.Take(ctx, deadLetterID)
	if err != nil {
		return transport.Enqueued{}, err
	}
	got, err := q.requeue(ctx, d)
	if err != nil {
		if addErr := q.cfg.DeadLetters.Add(context.WithoutCancel(ctx), d); addErr != nil {
			q.cfg.Logger.Error("asynq: dead letter lost on a failed requeue", "deadLetterId", d.ID, "error", addErr)
		}
		return transport.Enqueued{}, err
	}
	return got, nil
}

func (q *Queue) requeue(ctx context.Context, d storage.DeadLetter) (transport.Enqueued, error) {
	info, err := q.inspector.GetTaskInfo(d.Queue, d.TaskID)
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
	case err != nil:
		return transport.Enqueued{}, formatError(ctx, q.redis, "requeue "+d.ID, err)
	case info.State == asynq.TaskStateArchived:
		err := q.inspector.DeleteTask(d.Queue, d.TaskID)
		if err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			return transport.Enqueued{}, formatError(ctx, q.redis, "requeue "+d.ID, err)
		}
	}
	return q.Enqueue(ctx, transport.Job{Type: d.TaskType, ID: d.TaskID, Queue: d.Queue, Payload: d.Payload})
}

// MirrorArchived copies every job in asynq's archive to storage.DeadLetters and returns how many
// it copied. Workers mirror a job when it fails for the last time; this catches the jobs asynq
// archived without a worker seeing the failure (a worker that died on a job's last attempt). It
// is idempotent: a dead letter is replaced by the same one. Run it from a maintenance job.
func (q *Queue) MirrorArchived(ctx context.Context) (int, error) {
	if !q.constructed() {
		return 0, errNotConstructed
	}
	queues, err := q.inspector.Queues()
	if err != nil {
		return 0, formatError(ctx, q.redis, "mirror archived: queues", err)
	}
	n := 0
	for _, queue := range queues {
		for page := 1; ; page++ {
			if err := ctx.Err(); err != nil {
				return n, formatError(ctx, nil, "mirror archived", err)
			}
			tasks, err := q.inspector.ListArchivedTasks(queue, asynq.PageSize(100), asynq.Page(page))
			if err != nil {
				return n, formatError(ctx, q.redis, "mirror archived: list "+queue, err)
			}
			for _, t := range tasks {
				d := storage.DeadLetter{
					ID: transport.DeadLetterID(t.Queue, t.ID), Queue: t.Queue, TaskType: t.Type, TaskID: t.ID,
					Payload: t.Payload, Error: t.LastErr, Attempts: t.Retried + 1, FailedAt: t.LastFailedAt.UTC(),
				}
				if err := q.cfg.DeadLetters.Add(ctx, d); err != nil {
					return n, err
				}
				n++
			}
			if len(tasks) < 100 {
				break
			}
		}
	}
	return n, nil
}
