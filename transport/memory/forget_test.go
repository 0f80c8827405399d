package memory_test

import (
	"context"
	"sync"
	"testing"
	"time"

	storagememory "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/memory"
)

// TestForgetUserDeletesTheUsersWaitingJobs forgets a user's waiting, delayed and completed jobs:
// their ids are free again, and a worker started afterwards runs only the other user's job.
func TestForgetUserDeletesTheUsersWaitingJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q, err := memory.NewQueue(memory.QueueConfig{DeadLetters: storagememory.New().DeadLetters()})
	if err != nil {
		t.Fatal(err)
	}
	payload := func(user string) []byte { return []byte(`{"userId":"` + user + `"}`) }
	jobs := []transport.Job{
		{Type: transport.JobScoreBias, ID: "score:ua:1", Queue: transport.QueueScore, Payload: payload("ua")},
		{Type: transport.JobDigestWeekly, ID: "digest:ua:2026-W02", Queue: transport.QueueDigest, Payload: payload("ua"),
			ProcessAt: time.Now().Add(time.Hour)},
		{Type: transport.JobScoreBias, ID: "score:ub:1", Queue: transport.QueueScore, Payload: payload("ub")},
	}
	for _, j := range jobs {
		if _, err := q.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	n, err := q.ForgetUser(ctx, "ua")
	if err != nil || n != 2 {
		t.Fatalf("ForgetUser: %d, %v; want 2 jobs", n, err)
	}
	if n, err := q.ForgetUser(ctx, "ua"); err != nil || n != 0 {
		t.Errorf("ForgetUser again: %d, %v; want 0", n, err)
	}
	var (
		mu  sync.Mutex
		ran []string
	)
	done := make(chan struct{}, 4)
	w, err := q.NewWorker(memory.WorkerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(func(_ context.Context, j transport.Job) error {
		mu.Lock()
		ran = append(ran, j.ID)
		mu.Unlock()
		done <- struct{}{}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)
	<-done
	// The forgotten id is free: enqueueing it again is not a duplicate, and it runs.
	if enq, err := q.Enqueue(ctx, jobs[0]); err != nil || enq.Duplicate {
		t.Fatalf("Enqueue of a forgotten id: %+v, %v", enq, err)
	}
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(ran) != 2 || ran[0] != "score:ub:1" || ran[1] != "score:ua:1" {
		t.Errorf("ran %q, want the other user's job, then the re-enqueued one", ran)
	}
	// A completed job is forgotten too (its id stops deduplicating). The handlers signalled before
	// returning: wait until no attempt is active, so that ub's job is completed, not still running.
	for {
		d, err := q.Depth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d[transport.QueueScore].Active == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if n, err := q.ForgetUser(ctx, "ub"); err != nil || n != 1 {
		t.Errorf("ForgetUser of a user whose job completed: %d, %v; want 1", n, err)
	}
}
