package asynq_test

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
)

// Enqueue a job with a deterministic id: enqueueing it again is a duplicate, not a second run.
// This example needs a Redis server, so it is compiled, not run (the package's tests run it
// against a Redis database of their own, see asynqtest).
func Example() {
	ctx := context.Background()
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379", DB: 1})
	defer client.Close()
	queue, err := asynq.New(client, asynq.Config{DeadLetters: memory.New().DeadLetters()}) // storage/postgres in production
	if err != nil {
		panic(err)
	}
	job := transport.WeeklyDigestJob(time.Now())
	for range 2 {
		enq, err := queue.Enqueue(ctx, job)
		fmt.Println(enq.Duplicate, err)
	}

	worker, err := queue.NewWorker(asynq.WorkerConfig{Queues: transport.Priorities()})
	if err != nil {
		panic(err)
	}
	mux, _ := transport.NewMux(transport.MuxConfig{})
	_ = mux.Handle(transport.JobDigestWeekly, func(ctx context.Context, j transport.Job) error { return nil })
	if err := worker.Start(mux.Run); err != nil {
		panic(err)
	}
	defer worker.Shutdown()
}
