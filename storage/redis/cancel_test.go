package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach/internal/canceltest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

// TestContextEndedIsCanceled checks that every call of the store made with a cancelled or
// expired context is ECANCELED, not EUNAVAILABLE or EINTERNAL, with the context's error
// reachable by errors.Is.
func TestContextEndedIsCanceled(t *testing.T) {
	t.Parallel()
	s := redistest.MustOpen(t)
	for _, c := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Cache.Get", func(ctx context.Context) error { _, err := s.Cache().Get(ctx, "k"); return err }},
		{"Cache.Set", func(ctx context.Context) error { return s.Cache().Set(ctx, "k", []byte("v"), time.Minute) }},
		{"Cache.Delete", func(ctx context.Context) error { return s.Cache().Delete(ctx, "k") }},
		{"Idempotency.Claim", func(ctx context.Context) error {
			_, err := s.Idempotency().Claim(ctx, "k", "h", time.Minute)
			return err
		}},
		{"Idempotency.Complete", func(ctx context.Context) error {
			return s.Idempotency().Complete(ctx, "k", []byte("r"), time.Minute)
		}},
		{"Idempotency.Release", func(ctx context.Context) error { return s.Idempotency().Release(ctx, "k") }},
		{"Nonces.Use", func(ctx context.Context) error { return s.Nonces().Use(ctx, "n", time.Minute) }},
		{"RateLimiter.Allow", func(ctx context.Context) error {
			_, err := s.RateLimiter().Allow(ctx, "k", storage.Limit{Rate: 1, Burst: 1, Period: time.Second})
			return err
		}},
	} {
		for _, e := range canceltest.Ends() {
			t.Run(c.name+"/"+e.Name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := e.Context()
				defer cancel()
				canceltest.Want(t, c.call(ctx), e.Target)
			})
		}
	}
}
