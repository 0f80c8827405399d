package asynq_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
)

// firing is one scheduler's outcome of one firing.
type firing struct {
	scheduler int
	id        string
	duplicate bool
	err       error
}

// Two schedulers (as in two worker processes) firing every second for the same week enqueue the
// weekly digest fan-out once, and it runs once.
func TestSchedulersRacingEnqueueOncePerWeek(t *testing.T) {
	t.Parallel()
	q, _ := mustOpenQueue(t)

	var mu sync.Mutex
	var firings []firing
	for i := range 2 {
		s, err := q.NewScheduler(asynq.SchedulerConfig{
			Cron: "@every 1s",
			OnEnqueue: func(j transport.Job, e transport.Enqueued, err error) {
				mu.Lock()
				defer mu.Unlock()
				firings = append(firings, firing{i, j.ID, e.Duplicate, err})
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Shutdown)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		per := map[int]int{}
		for _, f := range firings {
			per[f.scheduler]++
		}
		mu.Unlock()
		if per[0] >= 3 && per[1] >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("schedulers fired %v times in a minute, want 3 each", per)
		}
		time.Sleep(50 * time.Millisecond)
	}

	runs := map[string]int{}
	var runsMu sync.Mutex
	w, err := q.NewWorker(asynq.WorkerConfig{Concurrency: 1, PollInterval: testPoll})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(func(ctx context.Context, j transport.Job) error {
		runsMu.Lock()
		defer runsMu.Unlock()
		runs[j.ID]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)

	mu.Lock()
	got := append([]firing(nil), firings...)
	mu.Unlock()
	fresh := map[string]int{} // per id, how many firings enqueued it anew
	for _, f := range got {
		if f.err != nil {
			t.Errorf("scheduler %d: firing %s failed: %v", f.scheduler, f.id, f.err)
		}
		if !f.duplicate {
			fresh[f.id]++
		} else if _, ok := fresh[f.id]; !ok {
			fresh[f.id] = 0
		}
	}
	// The week turns over while this test runs at most once, so one or two ids.
	if len(fresh) == 0 || len(fresh) > 2 {
		t.Fatalf("firings made ids %v, want this week's", fresh)
	}
	for id, n := range fresh {
		if n != 1 {
			t.Errorf("job %s was enqueued anew by %d firings, want 1", id, n)
		}
		if want := transport.WeeklyDigestJob(time.Now()).ID; len(fresh) == 1 && id != want {
			t.Errorf("firing made id %s, want %s", id, want)
		}
	}
	marker := transport.Job{Type: "test.marker", ID: "marker", Queue: transport.QueueDigest}
	if _, err := q.Enqueue(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the marker job to run", func() bool {
		runsMu.Lock()
		defer runsMu.Unlock()
		return runs[marker.ID] == 1
	})
	runsMu.Lock()
	defer runsMu.Unlock()
	for id := range fresh {
		if runs[id] != 1 {
			t.Errorf("weekly job %s ran %d times, want 1", id, runs[id])
		}
	}
}

func TestNewSchedulerRejectsABadCron(t *testing.T) {
	t.Parallel()
	q, _ := mustOpenQueue(t)
	if _, err := q.NewScheduler(asynq.SchedulerConfig{Cron: "every tuesday"}); err == nil {
		t.Fatal("NewScheduler accepted a bad cron spec")
	}
}

// waitUntil polls cond until it holds, failing t after a minute (a hang, not a timing claim).
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
