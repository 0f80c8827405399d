package redis_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

// BenchmarkIdempotencyClaimComplete measures one request's idempotency bookkeeping: Claim of a
// fresh key, then Complete with a small response (two round trips, two Lua scripts).
func BenchmarkIdempotencyClaimComplete(b *testing.B) {
	idem := redistest.MustOpen(b).Idempotency()
	ctx := b.Context()
	resp := []byte(`{"status":201,"body":{"id":"c1"}}`)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		key := strconv.Itoa(i)
		i++
		if _, err := idem.Claim(ctx, key, "h", time.Minute); err != nil {
			b.Fatal(err)
		}
		if err := idem.Complete(ctx, key, resp, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkIdempotencyClaimCompleteParallel is the same from concurrent goroutines sharing the
// client's pool.
func BenchmarkIdempotencyClaimCompleteParallel(b *testing.B) {
	idem := redistest.MustOpen(b).Idempotency()
	ctx := b.Context()
	resp := []byte(`{"status":201,"body":{"id":"c1"}}`)
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := strconv.FormatInt(n.Add(1), 10)
			if _, err := idem.Claim(ctx, key, "h", time.Minute); err != nil {
				b.Error(err)
				return
			}
			if err := idem.Complete(ctx, key, resp, time.Minute); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkRateLimiterAllow measures one GCRA decision (one round trip, one Lua script) on a
// key whose limit is never reached.
func BenchmarkRateLimiterAllow(b *testing.B) {
	rl := redistest.MustOpen(b).RateLimiter()
	ctx := b.Context()
	lim := storage.Limit{Rate: 1_000_000_000, Burst: 1_000_000_000, Period: time.Second}
	b.ReportAllocs()
	for b.Loop() {
		if d, err := rl.Allow(ctx, "k", lim); err != nil || !d.Allowed {
			b.Fatal(d, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

// BenchmarkRateLimiterAllowParallel is the same from concurrent goroutines on one key.
func BenchmarkRateLimiterAllowParallel(b *testing.B) {
	rl := redistest.MustOpen(b).RateLimiter()
	ctx := b.Context()
	lim := storage.Limit{Rate: 1_000_000_000, Burst: 1_000_000_000, Period: time.Second}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := rl.Allow(ctx, "k", lim); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}
