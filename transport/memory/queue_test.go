package memory_test

import (
	"context"
	"testing"

	"github.com/tradecoach/coach"
	storagememory "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/memory"
	"github.com/tradecoach/coach/transport/transporttest"
)

func TestQueue(t *testing.T) {
	transporttest.RunQueue(t, func(t *testing.T) transporttest.QueueUnderTest {
		dead := storagememory.New().DeadLetters()
		q, err := memory.NewQueue(memory.QueueConfig{DeadLetters: dead})
		if err != nil {
			t.Fatal(err)
		}
		return transporttest.QueueUnderTest{
			Queue:       q,
			Requeuer:    q,
			Inspector:   q,
			DeadLetters: dead,
			NewWorker: func(t *testing.T, o transporttest.WorkerOptions) transport.Worker {
				w, err := q.NewWorker(memory.WorkerConfig{
					Concurrency:    o.Concurrency,
					StrictPriority: o.StrictPriority,
					ShutdownGrace:  o.ShutdownGrace,
					Backoff:        o.Backoff,
				})
				if err != nil {
					t.Fatal(err)
				}
				return w
			},
		}
	})
}

func TestNewQueueAndWorkerValidate(t *testing.T) {
	t.Parallel()
	if _, err := memory.NewQueue(memory.QueueConfig{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("NewQueue without DeadLetters = %v, want EINVALID", err)
	}
	dead := storagememory.New().DeadLetters()
	if _, err := memory.NewQueue(memory.QueueConfig{DeadLetters: dead, Timeout: -1}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("NewQueue with a negative Timeout = %v, want EINVALID", err)
	}
	q, err := memory.NewQueue(memory.QueueConfig{DeadLetters: dead})
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]memory.WorkerConfig{
		"negative concurrency": {Concurrency: -1},
		"zero weight":          {Queues: map[string]int{transport.QueueSim: 0}},
	} {
		if _, err := q.NewWorker(cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("NewWorker with %s = %v, want EINVALID", name, err)
		}
	}
}

func TestWorkerStartsOnce(t *testing.T) {
	t.Parallel()
	q, err := memory.NewQueue(memory.QueueConfig{DeadLetters: storagememory.New().DeadLetters()})
	if err != nil {
		t.Fatal(err)
	}
	w, err := q.NewWorker(memory.WorkerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	h := func(context.Context, transport.Job) error { return nil }
	if err := w.Start(nil); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Start(nil) = %v, want EINVALID", err)
	}
	if err := w.Start(h); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(h); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("second Start = %v, want EINVALID", err)
	}
	w.Shutdown()
	w.Shutdown()
	if err := w.Start(h); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Start after Shutdown = %v, want EINVALID", err)
	}
}
