package asynq_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	hasynq "github.com/hibiken/asynq"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	storagememory "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
)

// flakyDeadLetters is a storage.DeadLetters whose Add fails while down is set.
type flakyDeadLetters struct {
	storage.DeadLetters
	down atomic.Bool
}

func (f *flakyDeadLetters) Add(ctx context.Context, d storage.DeadLetter) error {
	if f.down.Load() {
		return coach.Errorf(coach.EUNAVAILABLE, "database down")
	}
	return f.DeadLetters.Add(ctx, d)
}

// A final failure whose dead letter cannot be stored stays in asynq's archive, with its id taken,
// and MirrorArchived copies it to storage later; Requeue then frees the id and runs it again.
func TestDeadLetterStoredLaterByMirrorArchived(t *testing.T) {
	t.Parallel()
	client := asynqtest.MustOpenDB(t)
	dead := &flakyDeadLetters{DeadLetters: storagememory.New().DeadLetters()}
	dead.down.Store(true)
	q := mustOpenQueueWith(t, client, dead)

	var runs atomic.Int32
	var healed atomic.Bool
	w, err := q.NewWorker(asynq.WorkerConfig{Concurrency: 1, PollInterval: testPoll})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(func(ctx context.Context, j transport.Job) error {
		runs.Add(1)
		if healed.Load() {
			return nil
		}
		return coach.Errorf(coach.EINVALID, "bad payload")
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)

	j := transport.Job{Type: "test.mirror", ID: "mirror:1", Queue: transport.QueueScore, Payload: []byte(`{"n":1}`)}
	if _, err := q.Enqueue(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	inspector := hasynq.NewInspectorFromRedisClient(client)
	waitUntil(t, "the job to be archived", func() bool {
		info, err := inspector.GetTaskInfo(j.Queue, j.ID)
		return err == nil && info.State == hasynq.TaskStateArchived
	})
	if list, _ := dead.List(context.Background(), "", 0); len(list) != 0 {
		t.Fatalf("dead letters stored while storage was down: %+v", list)
	}
	if got, err := q.Enqueue(context.Background(), j); err != nil || !got.Duplicate {
		t.Fatalf("Enqueue of an archived id = %+v, %v; want Duplicate", got, err)
	}

	dead.down.Store(false)
	n, err := q.MirrorArchived(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("MirrorArchived = %d, %v; want 1", n, err)
	}
	list, err := dead.List(context.Background(), "", 0)
	if err != nil || len(list) != 1 {
		t.Fatalf("dead letters = %+v, %v; want one", list, err)
	}
	d := list[0]
	if d.ID != transport.DeadLetterID(j.Queue, j.ID) || d.TaskType != j.Type || string(d.Payload) != string(j.Payload) ||
		d.Attempts != 1 || d.Error != coach.Errorf(coach.EINVALID, "bad payload").Error() || d.FailedAt.IsZero() {
		t.Errorf("mirrored dead letter = %+v", d)
	}

	healed.Store(true)
	if got, err := q.Requeue(context.Background(), d.ID); err != nil || got.Duplicate {
		t.Fatalf("Requeue = %+v, %v; want a fresh enqueue", got, err)
	}
	waitUntil(t, "the requeued job to run", func() bool { return runs.Load() == 2 })
}

// Requeue puts the dead letter back when the job cannot be enqueued.
func TestRequeueKeepsTheDeadLetterWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	dead := storagememory.New().DeadLetters()
	d := storage.DeadLetter{ID: transport.DeadLetterID(transport.QueueSim, "x"), Queue: transport.QueueSim,
		TaskType: "test.x", TaskID: "x", Error: "boom", Attempts: 3}
	if err := dead.Add(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	q := mustOpenQueueWith(t, downRedis(t), dead)
	_, err := q.Requeue(context.Background(), d.ID)
	if code := coach.ErrorCode(err); code != coach.EUNAVAILABLE {
		t.Fatalf("Requeue with Redis down: %v (code %q), want %q", err, code, coach.EUNAVAILABLE)
	}
	if list, _ := dead.List(context.Background(), "", 0); len(list) != 1 {
		t.Fatalf("dead letters after a failed Requeue = %+v, want it kept", list)
	}
}

func TestEnqueueWithRedisDownIsUnavailable(t *testing.T) {
	t.Parallel()
	q := mustOpenQueueWith(t, downRedis(t), storagememory.New().DeadLetters())
	_, err := q.Enqueue(context.Background(), transport.Job{Type: "t", ID: "x", Queue: transport.QueueSim})
	if code := coach.ErrorCode(err); code != coach.EUNAVAILABLE {
		t.Fatalf("Enqueue with Redis down: %v (code %q), want %q", err, code, coach.EUNAVAILABLE)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = q.Enqueue(ctx, transport.Job{Type: "t", ID: "x", Queue: transport.QueueSim})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Enqueue with a cancelled context: %v, want context.Canceled", err)
	}
}

// downRedis returns a client of a port where nothing listens.
func downRedis(t *testing.T) goredis.UniversalClient {
	c := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	c := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { c.Close() })
	dead := storagememory.New().DeadLetters()
	for _, tc := range []struct {
		name   string
		client goredis.UniversalClient
		cfg    asynq.Config
	}{
		{"no client", nil, asynq.Config{DeadLetters: dead}},
		{"no dead letters", c, asynq.Config{}},
		{"negative retry", c, asynq.Config{DeadLetters: dead, MaxRetry: -1}},
	} {
		if _, err := asynq.New(tc.client, tc.cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: New = %v, want EINVALID", tc.name, err)
		}
	}
	q, err := asynq.New(c, asynq.Config{DeadLetters: dead})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.NewWorker(asynq.WorkerConfig{Queues: map[string]int{"q": 0}}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("NewWorker with a zero weight = %v, want EINVALID", err)
	}
}
