package asynq_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
)

var benchPayload = []byte(`{"userId":"c000000000000000000000000","connectionId":"c111111111111111111111111","windowStart":"2026-01-05T00:00:00Z"}`)

// BenchmarkEnqueue measures one caller enqueueing jobs, each acknowledged by Redis.
func BenchmarkEnqueue(b *testing.B) {
	q, _ := mustOpenQueue(b)
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

// BenchmarkEnqueueParallel measures several callers (16 per GOMAXPROCS) enqueueing at once, as
// the core stack's request handlers do.
func BenchmarkEnqueueParallel(b *testing.B) {
	q, _ := mustOpenQueue(b)
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
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

// BenchmarkBaselineSetParallel is the ceiling the enqueue benchmarks run against: plain SETs of
// the same payload by the same callers, one round trip each, as an asynq enqueue is.
func BenchmarkBaselineSetParallel(b *testing.B) {
	client := asynqtest.MustOpenDB(b)
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := client.Set(ctx, "baseline:"+strconv.FormatInt(n.Add(1), 10), benchPayload, 0).Err(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sets/s")
}
