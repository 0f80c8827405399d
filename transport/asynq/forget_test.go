package asynq_test

import (
	"context"
	"testing"
	"time"

	hasynq "github.com/hibiken/asynq"

	storagememory "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
)

// TestForgetUserDeletesTheUsersTasks forgets a user's pending and scheduled tasks on a real
// Redis: asynq no longer knows them, their ids are free, and the other user's task stays.
func TestForgetUserDeletesTheUsersTasks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client := asynqtest.MustOpenDB(t)
	q := mustOpenQueueWith(t, client, storagememory.New().DeadLetters())
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
		t.Fatalf("ForgetUser: %d, %v; want 2", n, err)
	}
	inspector := hasynq.NewInspectorFromRedisClient(client)
	for _, j := range jobs[:2] {
		if _, err := inspector.GetTaskInfo(j.Queue, j.ID); err == nil {
			t.Errorf("task %s is still in asynq", j.ID)
		}
	}
	if _, err := inspector.GetTaskInfo(jobs[2].Queue, jobs[2].ID); err != nil {
		t.Errorf("the other user's task: %v", err)
	}
	if enq, err := q.Enqueue(ctx, jobs[0]); err != nil || enq.Duplicate {
		t.Errorf("Enqueue of a forgotten id: %+v, %v", enq, err)
	}
}
