package jobs_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// Schedule is the table of periodic jobs; a memory scheduler fires it by a clock, enqueueing
// each firing's job with the id of its period.
func ExampleSchedule() {
	for _, p := range jobs.Schedule() {
		fmt.Printf("%-22s %-11s %s\n", p.Name, p.Cron, p.Job(time.Date(2026, 12, 7, 3, 30, 0, 0, time.UTC)).ID)
	}

	clock := coach.NewManualClock(time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC))
	store := memory.New()
	queue, _ := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: store.DeadLetters()})
	s, _ := transportmemory.NewScheduler(transportmemory.SchedulerConfig{Queue: queue, Clock: clock, Schedule: jobs.Schedule(),
		OnEnqueue: func(j transport.Job, _ transport.Enqueued, _ error) { fmt.Println("enqueued", j.ID) }})
	clock.Advance(time.Hour)
	_, err := s.Tick(context.Background())
	fmt.Println(err)
	// Output:
	// digest.fanout          0 * * * *   digest.fanout:2026-12-07T03:00:00Z
	// sync.fanout            */15 * * * * sync.fanout:2026-12-07T03:30:00Z
	// retention.sessions     20 * * * *  retention.sessions:2026-12-07T03:00:00Z
	// retention.exports      25 * * * *  retention.exports:2026-12-07T03:00:00Z
	// retention.outbox       10 3 * * *  retention.outbox:2026-12-07T00:00:00Z
	// retention.digests      30 3 * * *  retention.digests:2026-12-07T00:00:00Z
	// retention.deadletters  50 3 * * *  retention.deadletters:2026-12-07T00:00:00Z
	// retention.webhooks     40 3 * * *  retention.webhooks:2026-12-07T00:00:00Z
	// enqueued digest.fanout:2026-12-07T04:00:00Z
	// enqueued sync.fanout:2026-12-07T03:15:00Z
	// enqueued sync.fanout:2026-12-07T03:30:00Z
	// enqueued sync.fanout:2026-12-07T03:45:00Z
	// enqueued sync.fanout:2026-12-07T04:00:00Z
	// enqueued retention.sessions:2026-12-07T03:00:00Z
	// enqueued retention.exports:2026-12-07T03:00:00Z
	// enqueued retention.outbox:2026-12-07T00:00:00Z
	// enqueued retention.digests:2026-12-07T00:00:00Z
	// enqueued retention.deadletters:2026-12-07T00:00:00Z
	// enqueued retention.webhooks:2026-12-07T00:00:00Z
	// <nil>
}
