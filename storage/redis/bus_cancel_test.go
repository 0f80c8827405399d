package redis_test

import (
	"context"
	"testing"

	"github.com/tradecoach/coach/storage/redis"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

// TestBusContextEndedIsCanceled checks that Publish and Subscribe with a cancelled or expired
// context are ECANCELED with the context's error reachable by errors.Is.
func TestBusContextEndedIsCanceled(t *testing.T) {
	t.Parallel()
	bus := newBus(t, redistest.MustOpenClient(t), redis.BusConfig{})
	for _, c := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Publish", func(ctx context.Context) error {
			return bus.Publish(ctx, userEvent("u1", 1))
		}},
		{"Subscribe", func(ctx context.Context) error { _, err := bus.Subscribe(ctx, "u1"); return err }},
	} {
		for _, e := range contextEnds {
			t.Run(c.name+"/"+e.name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := e.ctx()
				defer cancel()
				wantCanceled(t, c.call(ctx), e.target)
			})
		}
	}
}
