package memory_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	storagememory "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/memory"
)

var benchPayload = []byte(`{"userId":"c000000000000000000000000","connectionId":"c111111111111111111111111","windowStart":"2026-01-05T00:00:00Z"}`)

func benchQueue(b *testing.B) *memory.Queue {
	q, err := memory.NewQueue(memory.QueueConfig{DeadLetters: storagememory.New().DeadLetters()})
	if err != nil {
		b.Fatal(err)
	}
	return q
}

// BenchmarkQueueEnqueue measures one caller enqueueing jobs (no worker running).
func BenchmarkQueueEnqueue(b *testing.B) {
	q := benchQueue(b)
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		j := transport.Job{Type: transport.JobImportTrades, ID: "import:bench:" + strconv.Itoa(i), Queue: transport.QueueImport, Payload: benchPayload}
		if _, err := q.Enqueue(ctx, j); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkQueueEnqueueParallel measures several callers enqueueing at once.
func BenchmarkQueueEnqueueParallel(b *testing.B) {
	q := benchQueue(b)
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			j := transport.Job{Type: transport.JobImportTrades, ID: "import:bench:" + strconv.FormatInt(n.Add(1), 10), Queue: transport.QueueImport, Payload: benchPayload}
			if _, err := q.Enqueue(ctx, j); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// BenchmarkQueueRoundTrip measures jobs enqueued and run to completion by a worker of 4.
func BenchmarkQueueRoundTrip(b *testing.B) {
	q := benchQueue(b)
	var done atomic.Int64
	all := make(chan struct{})
	var want atomic.Int64
	w, err := q.NewWorker(memory.WorkerConfig{Concurrency: 4})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Start(func(ctx context.Context, j transport.Job) error {
		if done.Add(1) == want.Load() {
			close(all)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	defer w.Shutdown()
	want.Store(int64(b.N))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		j := transport.Job{Type: transport.JobScoreBias, ID: "score:bench:" + strconv.Itoa(i), Queue: transport.QueueScore, Payload: benchPayload}
		if _, err := q.Enqueue(ctx, j); err != nil {
			b.Fatal(err)
		}
	}
	<-all
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}
