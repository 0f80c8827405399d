package redis_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/redis"
)

// BenchmarkBusLatency measures publish → receive through Redis, one event in flight at a time:
// from the call to Publish until the subscriber holds the decoded event. It reports the median
// and the 99th percentile.
func BenchmarkBusLatency(b *testing.B) {
	bus := newBus(b, redistest.MustOpenClient(b), redis.BusConfig{})
	sub := subscribe(b, bus, "u1")
	e := userEvent("u1", 1)
	ctx := context.Background()
	var lat []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if err := bus.Publish(ctx, e); err != nil {
			b.Fatal(err)
		}
		if _, ok := <-sub.Events(); !ok {
			b.Fatalf("feed ended: %v", sub.Err())
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// BenchmarkBusPublish measures how many events one publisher gets through Redis to their
// subscriber per second, publishing back to back (one round trip each) while the subscriber
// drains; the clock stops when the subscriber has every event.
func BenchmarkBusPublish(b *testing.B) {
	benchmarkPublish(b, 1, 1)
}

// BenchmarkBusPublishParallel is the same with GOMAXPROCS×4 publishers sharing the client's
// pool, to 100 users with one subscription each on one shared subscriber connection.
func BenchmarkBusPublishParallel(b *testing.B) {
	benchmarkPublish(b, 4, 100)
}

func benchmarkPublish(b *testing.B, parallelism, users int) {
	bus := newBus(b, redistest.MustOpenClient(b), redis.BusConfig{})
	var received atomic.Int64
	var drained sync.WaitGroup
	subs := make([]transport.Subscription, users)
	for i := range subs {
		subs[i] = subscribe(b, bus, fmt.Sprintf("u%d", i))
		drained.Go(func() {
			for range subs[i].Events() {
				received.Add(1)
			}
		})
	}
	events := make(chan int, users)
	for i := range users {
		events <- i
	}
	ctx := context.Background()
	var published atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	if parallelism == 1 {
		e := userEvent("u0", 0)
		for range b.N {
			if err := bus.Publish(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
		published.Add(int64(b.N))
	} else {
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			u := <-events // each goroutine publishes to its own user, keeping the order per user
			e := userEvent(fmt.Sprintf("u%d", u), 0)
			for pb.Next() {
				if err := bus.Publish(ctx, e); err != nil {
					b.Error(err)
					return
				}
				published.Add(1)
			}
		})
	}
	for received.Load() < published.Load() {
		for _, s := range subs {
			if err := s.Err(); err != nil {
				b.Fatalf("subscriber ended: %v", err)
			}
		}
		time.Sleep(100 * time.Microsecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(published.Load())/b.Elapsed().Seconds(), "events/s")
	for _, s := range subs {
		_ = s.Close()
	}
	drained.Wait()
}
