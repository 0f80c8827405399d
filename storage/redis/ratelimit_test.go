package redis_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

func TestRateLimiterRetryAfterIsTheEmissionInterval(t *testing.T) {
	t.Parallel()
	rl := redistest.MustOpen(t).RateLimiter()
	lim := storage.Limit{Rate: 1, Burst: 1, Period: time.Hour}
	d, err := rl.Allow(t.Context(), "k", lim)
	if err != nil || !d.Allowed || d.RetryAfter != 0 {
		t.Fatalf("first event: %+v %v, want allowed with no RetryAfter", d, err)
	}
	d, err = rl.Allow(t.Context(), "k", lim)
	if err != nil {
		t.Fatal(err)
	}
	// One event an hour: the next one fits about an hour after the first (a minute of slack
	// for the time this test takes; the bound is on the value, not on how long anything took).
	if d.Allowed || d.RetryAfter <= 59*time.Minute || d.RetryAfter > time.Hour {
		t.Errorf("second event: %+v, want denied with RetryAfter just under 1h", d)
	}
}

func TestRateLimiterDeniedEventsCostNothing(t *testing.T) {
	t.Parallel()
	rl := redistest.MustOpen(t).RateLimiter()
	lim := storage.Limit{Rate: 10, Burst: 1, Period: time.Second}
	if d, _ := rl.Allow(t.Context(), "k", lim); !d.Allowed {
		t.Fatalf("first event denied: %+v", d)
	}
	for range 50 {
		if _, err := rl.Allow(t.Context(), "k", lim); err != nil {
			t.Fatal(err)
		}
	}
	// Had the denied events been counted, the next allowed event would be ~5 s away.
	d, err := rl.Allow(t.Context(), "k", lim)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Allowed && d.RetryAfter > 100*time.Millisecond {
		t.Errorf("after 50 denied events: RetryAfter %s, want at most one emission interval (100ms)", d.RetryAfter)
	}
}
