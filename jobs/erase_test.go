package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/privacy"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// TestEraseUserThroughTheQueue enqueues erase.user for a user with trades, a key and a queued
// job, runs it on a worker of the memory queue through Register's mux, and finds the user gone
// everywhere, the erasure recorded; a duplicate enqueue within the retention is folded into the
// first.
func TestEraseUserThroughTheQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	cache := memory.NewCache(nil)
	q, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: store.DeadLetters()})
	if err != nil {
		t.Fatal(err)
	}
	eraser, err := privacy.NewEraser(privacy.EraserConfig{Store: store, SubjectKey: []byte("sixteen bytes at least"),
		Keys: []storage.KeyEraser{cache}, Jobs: q})
	if err != nil {
		t.Fatal(err)
	}
	h, err := jobs.New(jobs.Config{Store: store, Queue: q, Eraser: eraser})
	if err != nil {
		t.Fatal(err)
	}
	mux, err := transport.NewMux(transport.MuxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Register(mux); err != nil {
		t.Fatal(err)
	}

	u := coach.User{ID: coach.NewID(), Email: "erase-me@example.com", CreatedAt: time.Now().UTC()}
	if err := store.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := cache.Set(ctx, storage.UserKey(u.ID, "sim", "x"), []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	digest, err := jobs.DigestJob(jobs.DigestPayload{UserID: u.ID, Week: "2026-W02"})
	if err != nil {
		t.Fatal(err)
	}
	digest.ProcessAt = time.Now().Add(time.Hour)
	if _, err := q.Enqueue(ctx, digest); err != nil {
		t.Fatal(err)
	}

	j, err := jobs.EraseJob(jobs.ErasePayload{UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	if j.ID != "erase:"+u.ID || j.Type != jobs.JobEraseUser || j.Retention != jobs.EraseRetention {
		t.Errorf("job %+v", j)
	}
	if _, err := q.Enqueue(ctx, j); err != nil {
		t.Fatal(err)
	}
	w, err := q.NewWorker(transportmemory.WorkerConfig{Queues: map[string]int{transport.QueueImport: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(mux.Run); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)
	subject := eraser.Subject(u.ID)
	deadline := time.Now().Add(10 * time.Second)
	for {
		recs, err := store.Erasures().BySubject(ctx, subject)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 1 {
			if recs[0].Counts["users"] != 1 || recs[0].Counts["keys"] != 1 || recs[0].Counts["jobs"] != 1 {
				t.Errorf("record counts %v", recs[0].Counts)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the erase job did not run")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := store.Users().ByID(ctx, u.ID); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("user after the job: %v", err)
	}
	if _, err := cache.Get(ctx, storage.UserKey(u.ID, "sim", "x")); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("cache key after the job: %v", err)
	}
	if enq, err := q.Enqueue(ctx, j); err != nil || !enq.Duplicate {
		t.Errorf("second enqueue within the retention: %+v, %v; want a duplicate", enq, err)
	}
	if err := h.EraseUser(ctx, transport.Job{Type: jobs.JobEraseUser, ID: "erase:x", Queue: transport.QueueImport, Payload: []byte(`{"userId":""}`)}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("erase.user without a user: %v, want invalid", err)
	}
}
