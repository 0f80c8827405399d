package memory_test

import (
	"testing"

	"github.com/tradecoach/coach/internal/servicetest"
	storemem "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/memory"
)

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*memory.Queue)(nil), (*memory.Worker)(nil), (*memory.Bus)(nil), (*memory.Scheduler)(nil)})
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	dl := storemem.New().DeadLetters()
	q, err := memory.NewQueue(memory.QueueConfig{DeadLetters: dl})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		new   func() (any, error)
	}{
		{"QueueConfig.DeadLetters", func() (any, error) { return memory.NewQueue(memory.QueueConfig{}) }},
		{"QueueConfig.MaxRetry", func() (any, error) { return memory.NewQueue(memory.QueueConfig{DeadLetters: dl, MaxRetry: -1}) }},
		{"QueueConfig.Timeout", func() (any, error) { return memory.NewQueue(memory.QueueConfig{DeadLetters: dl, Timeout: -1}) }},
		{"QueueConfig.Retention", func() (any, error) { return memory.NewQueue(memory.QueueConfig{DeadLetters: dl, Retention: -1}) }},
		{"WorkerConfig.Concurrency", func() (any, error) { return q.NewWorker(memory.WorkerConfig{Concurrency: -1}) }},
		{"WorkerConfig.ShutdownGrace", func() (any, error) { return q.NewWorker(memory.WorkerConfig{ShutdownGrace: -1}) }},
		{"WorkerConfig.Queues", func() (any, error) { return q.NewWorker(memory.WorkerConfig{Queues: map[string]int{"q": 0}}) }},
		{"SchedulerConfig.Queue", func() (any, error) { return memory.NewScheduler(memory.SchedulerConfig{}) }},
		{"SchedulerConfig.Schedule", func() (any, error) { return memory.NewScheduler(memory.SchedulerConfig{Queue: q}) }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := tc.new()
			servicetest.RefusesField(t, err, tc.field)
		})
	}
}
