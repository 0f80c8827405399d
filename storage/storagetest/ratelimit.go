package storagetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// RunRateLimiter checks the storage.RateLimiter contract (GCRA with the semantics of
// go-redis/redis_rate) against the adapter newLimiter makes. Each subtest gets a fresh
// RateLimiter and random keys, and runs in parallel.
func RunRateLimiter(t *testing.T, newLimiter func(t *testing.T) storage.RateLimiter) {
	ctx := context.Background()
	// slow refills one event an hour, so that nothing refills while a subtest runs.
	slow := storage.Limit{Rate: 1, Burst: 3, Period: time.Hour}

	t.Run("BurstThenDenied", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		k := randomKey(t)
		var got []storage.Decision
		for range 3 {
			d, err := l.Allow(ctx, k, slow)
			must(t, err, "Allow")
			got = append(got, d)
		}
		diff(t, "the burst", []storage.Decision{
			{Allowed: true, Remaining: 2},
			{Allowed: true, Remaining: 1},
			{Allowed: true, Remaining: 0},
		}, got)
		for range 2 {
			d, err := l.Allow(ctx, k, slow)
			must(t, err, "Allow")
			if d.Allowed || d.Remaining != 0 {
				t.Errorf("after the burst: %+v, want denied with 0 remaining", d)
			}
			if d.RetryAfter <= 0 || d.RetryAfter > slow.Period {
				t.Errorf("after the burst: RetryAfter %s, want in (0, %s]", d.RetryAfter, slow.Period)
			}
		}
	})

	t.Run("KeysAreIndependent", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		p := randomKey(t)
		one := storage.Limit{Rate: 1, Burst: 1, Period: time.Hour}
		d, err := l.Allow(ctx, p+":a", one)
		must(t, err, "Allow a")
		if !d.Allowed {
			t.Fatalf("first event of a denied: %+v", d)
		}
		if d, _ = l.Allow(ctx, p+":a", one); d.Allowed {
			t.Fatalf("second event of a allowed: %+v", d)
		}
		d, err = l.Allow(ctx, p+":b", one)
		must(t, err, "Allow b")
		if !d.Allowed {
			t.Errorf("first event of b denied after a was exhausted: %+v", d)
		}
	})

	t.Run("RefillsOverTime", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		k := randomKey(t)
		fast := storage.Limit{Rate: 10, Burst: 1, Period: time.Second}
		d, err := l.Allow(ctx, k, fast)
		must(t, err, "Allow")
		if !d.Allowed {
			t.Fatalf("first event denied: %+v", d)
		}
		eventually(t, "an event allowed again after the emission interval", func() bool {
			d, err := l.Allow(ctx, k, fast)
			must(t, err, "Allow")
			return d.Allowed
		})
	})

	t.Run("ConcurrentEventsShareTheBurst", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		k := randomKey(t)
		lim := storage.Limit{Rate: 1, Burst: 5, Period: time.Hour}
		const workers = 20
		allowed := make(chan bool, workers)
		for range workers {
			go func() {
				d, err := l.Allow(ctx, k, lim)
				if err != nil {
					t.Errorf("Allow: %v", err)
				}
				allowed <- d.Allowed
			}()
		}
		n := 0
		for range workers {
			if <-allowed {
				n++
			}
		}
		if n != lim.Burst {
			t.Errorf("%d of %d concurrent events allowed, want the burst %d", n, workers, lim.Burst)
		}
	})

	t.Run("InvalidLimit", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		for _, lim := range []storage.Limit{
			{Rate: 0, Burst: 1, Period: time.Second},
			{Rate: 1, Burst: 0, Period: time.Second},
			{Rate: 1, Burst: 1, Period: 0},
			{Rate: -1, Burst: 1, Period: time.Second},
		} {
			_, err := l.Allow(ctx, randomKey(t), lim)
			wantCode(t, err, coach.EINVALID, fmt.Sprintf("Allow with %+v", lim))
		}
	})
}
