package asynq_test

import (
	"log/slog"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach/storage"
	storagememory "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
	"github.com/tradecoach/coach/transport/transporttest"
)

// testPoll is the workers' poll interval in tests: short, so that ready jobs start quickly.
const testPoll = 50 * time.Millisecond

// quietLogger drops asynq's expected warnings (retries exhausted, workers quitting at shutdown).
var quietLogger = slog.New(slog.DiscardHandler)

// mustOpenQueue returns a queue on a Redis database of the test's own, with in-memory dead
// letters.
func mustOpenQueue(t testing.TB) (*asynq.Queue, *storagememory.Store) {
	t.Helper()
	store := storagememory.New()
	return mustOpenQueueWith(t, asynqtest.MustOpenDB(t), store.DeadLetters()), store
}

func mustOpenQueueWith(t testing.TB, client goredis.UniversalClient, dead storage.DeadLetters) *asynq.Queue {
	t.Helper()
	q, err := asynq.New(client, asynq.Config{DeadLetters: dead, Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestQueue(t *testing.T) {
	transporttest.RunQueue(t, func(t *testing.T) transporttest.QueueUnderTest {
		q, store := mustOpenQueue(t)
		return transporttest.QueueUnderTest{
			Queue:       q,
			Requeuer:    q,
			Inspector:   q,
			DeadLetters: store.DeadLetters(),
			NewWorker: func(t *testing.T, o transporttest.WorkerOptions) transport.Worker {
				w, err := q.NewWorker(asynq.WorkerConfig{
					Concurrency:     o.Concurrency,
					StrictPriority:  o.StrictPriority,
					ShutdownTimeout: o.ShutdownGrace,
					Backoff:         o.Backoff,
					PollInterval:    testPoll,
				})
				if err != nil {
					t.Fatal(err)
				}
				return w
			},
		}
	})
}
