package asynq_test

import (
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach/internal/servicetest"
	storagememory "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/asynq"
)

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*asynq.Queue)(nil), (*asynq.Worker)(nil), (*asynq.Scheduler)(nil)})
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	c := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1"}) // never dialled
	t.Cleanup(func() { c.Close() })
	dead := storagememory.New().DeadLetters()
	q, err := asynq.New(c, asynq.Config{DeadLetters: dead})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		new   func() (any, error)
	}{
		{"redis client", func() (any, error) { return asynq.New(nil, asynq.Config{DeadLetters: dead}) }},
		{"Config.DeadLetters", func() (any, error) { return asynq.New(c, asynq.Config{}) }},
		{"Config.MaxRetry", func() (any, error) { return asynq.New(c, asynq.Config{DeadLetters: dead, MaxRetry: -1}) }},
		{"Config.Timeout", func() (any, error) { return asynq.New(c, asynq.Config{DeadLetters: dead, Timeout: -1}) }},
		{"Config.Retention", func() (any, error) { return asynq.New(c, asynq.Config{DeadLetters: dead, Retention: -1}) }},
		{"WorkerConfig.Concurrency", func() (any, error) { return q.NewWorker(asynq.WorkerConfig{Concurrency: -1}) }},
		{"WorkerConfig.ShutdownTimeout", func() (any, error) { return q.NewWorker(asynq.WorkerConfig{ShutdownTimeout: -1}) }},
		{"WorkerConfig.PollInterval", func() (any, error) { return q.NewWorker(asynq.WorkerConfig{PollInterval: -1}) }},
		{"SchedulerConfig.Cron", func() (any, error) { return q.NewScheduler(asynq.SchedulerConfig{Cron: "every tuesday"}) }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := tc.new()
			servicetest.RefusesField(t, err, tc.field)
		})
	}
}
