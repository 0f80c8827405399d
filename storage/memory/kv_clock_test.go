package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestCacheExpiresExactlyAtTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(epoch)
	c := memory.NewCache(clock)
	if err := c.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute - time.Nanosecond)
	if _, err := c.Get(ctx, "k"); err != nil {
		t.Fatalf("Get just before the TTL: %v", err)
	}
	clock.Advance(time.Nanosecond)
	if _, err := c.Get(ctx, "k"); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Fatalf("Get at the TTL: %v, want not_found", err)
	}
}

func TestIdempotencyClaimExpiresOnClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(epoch)
	s := memory.NewIdempotency(clock)
	if _, err := s.Claim(ctx, "k", "h", time.Minute); err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * time.Second)
	if _, err := s.Claim(ctx, "k", "h", time.Minute); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Fatalf("Claim in flight: %v, want conflict", err)
	}
	clock.Advance(30 * time.Second)
	if rec, err := s.Claim(ctx, "k", "h", time.Minute); err != nil || rec.State != storage.IdemClaimed {
		t.Fatalf("Claim after expiry: %+v, %v", rec, err)
	}
	if err := s.Complete(ctx, "k", []byte("r"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if rec, err := s.Claim(ctx, "k", "h", time.Minute); err != nil || rec.State != storage.IdemDone {
		t.Fatalf("Claim after Release of a completed key: %+v, %v, want IdemDone", rec, err)
	}
	clock.Advance(time.Hour)
	if rec, err := s.Claim(ctx, "k", "other", time.Minute); err != nil || rec.State != storage.IdemClaimed {
		t.Fatalf("Claim after the response expired: %+v, %v", rec, err)
	}
}

func TestNoncesExpireOnClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(epoch)
	s := memory.NewNonces(clock)
	if err := s.Use(ctx, "n", time.Minute); err != nil {
		t.Fatal(err)
	}
	clock.Advance(59 * time.Second)
	if err := s.Use(ctx, "n", time.Minute); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Fatalf("Use within the window: %v, want conflict", err)
	}
	clock.Advance(time.Second)
	if err := s.Use(ctx, "n", time.Minute); err != nil {
		t.Fatalf("Use after the window: %v", err)
	}
}

// TestRateLimiterGCRA follows redis_rate's arithmetic step by step: 10 events a second (an
// emission interval of 100ms) with a burst of 2.
func TestRateLimiterGCRA(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(epoch)
	l := memory.NewRateLimiter(clock)
	lim := storage.Limit{Rate: 10, Burst: 2, Period: time.Second}
	steps := []struct {
		advance time.Duration
		want    storage.Decision
	}{
		{0, storage.Decision{Allowed: true, Remaining: 1}},
		{0, storage.Decision{Allowed: true, Remaining: 0}},
		{0, storage.Decision{Allowed: false, RetryAfter: 100 * time.Millisecond}},
		{40 * time.Millisecond, storage.Decision{Allowed: false, RetryAfter: 60 * time.Millisecond}},
		{60 * time.Millisecond, storage.Decision{Allowed: true, Remaining: 0}},
		{time.Second, storage.Decision{Allowed: true, Remaining: 1}},
		{50 * time.Millisecond, storage.Decision{Allowed: true, Remaining: 0}},
		{0, storage.Decision{Allowed: false, RetryAfter: 50 * time.Millisecond}},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		got, err := l.Allow(ctx, "k", lim)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("step %d (-want +got):\n%s", i, diff)
		}
	}
}
