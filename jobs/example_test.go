package jobs_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage/memory"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// A job's id says what makes two jobs the same: enqueueing the import of the same window again
// is a duplicate, which the queue runs once.
func ExampleImportJob() {
	ctx := context.Background()
	store := memory.New()
	queue, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: store.DeadLetters()})
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	job, err := jobs.ImportJob(jobs.ImportPayload{UserID: "trader-1", ConnectionID: "conn-1",
		WindowStart: start, WindowEnd: start.AddDate(0, 0, 30)})
	if err != nil {
		panic(err)
	}
	fmt.Println(job.Queue, job.ID)
	for range 2 {
		enq, err := queue.Enqueue(ctx, job)
		fmt.Println("duplicate:", enq.Duplicate, err)
	}
	// Output:
	// q_import import:conn-1:2026-01-05T00:00:00Z
	// duplicate: false <nil>
	// duplicate: true <nil>
}

// A handler's error is retried, skipped or rejected by its code.
func ExampleClassify() {
	for _, err := range []error{
		coach.Errorf(coach.EUNAVAILABLE, "the broker is down"),
		coach.Errorf(coach.ENOTFOUND, "the user was deleted"),
		coach.Errorf(coach.EINVALID, "the payload is malformed"),
	} {
		fmt.Println(coach.ErrorCode(err), jobs.Classify(err))
	}
	// Output:
	// unavailable retry
	// not_found skip
	// invalid reject
}
