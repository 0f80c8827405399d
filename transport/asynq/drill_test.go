package asynq_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	storagememory "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
)

// A job accepted is never lost, even if Redis is killed at that moment: enqueuers run while the
// server is killed with SIGKILL and restarted on the same data, and a worker started afterwards
// runs every job whose Enqueue returned nil.
func TestAcceptedJobsSurviveARedisKill(t *testing.T) {
	t.Parallel()
	srv := asynqtest.StartServer(t)
	// No client-side retries: an enqueue that fails while the server is down is reported.
	client := goredis.NewClient(&goredis.Options{Addr: srv.Addr(), DialTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	q, err := asynq.New(client, asynq.Config{DeadLetters: storagememory.New().DeadLetters(), Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	accepted := map[string]bool{}
	var refused atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				j := transport.Job{Type: "drill", ID: fmt.Sprintf("drill:%d:%d", g, i), Queue: transport.QueueImport}
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				_, err := q.Enqueue(ctx, j)
				cancel()
				if err != nil {
					refused.Add(1)
					time.Sleep(5 * time.Millisecond)
					continue
				}
				mu.Lock()
				accepted[j.ID] = true
				mu.Unlock()
			}
		})
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(accepted) }

	waitUntil(t, "200 accepted jobs", func() bool { return count() >= 200 })
	srv.Kill(t) // while the enqueuers are mid-flight
	atKill := count()
	srv.Start(t)
	waitUntil(t, "100 more accepted jobs after the restart", func() bool { return count() >= atKill+100 })
	close(stop)
	wg.Wait()
	t.Logf("%d jobs accepted (%d before the kill), %d enqueues refused while Redis was down", count(), atKill, refused.Load())

	var runMu sync.Mutex
	ran := map[string]bool{}
	w, err := q.NewWorker(asynq.WorkerConfig{Concurrency: 8, PollInterval: testPoll})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(func(ctx context.Context, j transport.Job) error {
		runMu.Lock()
		defer runMu.Unlock()
		ran[j.ID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)
	mu.Lock()
	defer mu.Unlock()
	missing := func() int {
		runMu.Lock()
		defer runMu.Unlock()
		n := 0
		for id := range accepted {
			if !ran[id] {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(time.Minute)
	for missing() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d accepted jobs never ran: lost in the kill", missing(), len(accepted))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
