package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// RunNonces checks the storage.Nonces contract against the adapter newNonces makes. Each subtest
// gets a fresh Nonces and random nonces, and runs in parallel.
func RunNonces(t *testing.T, newNonces func(t *testing.T) storage.Nonces) {
	ctx := context.Background()

	t.Run("FirstUseSucceedsSecondConflicts", func(t *testing.T) {
		t.Parallel()
		s := newNonces(t)
		n := randomKey(t)
		must(t, s.Use(ctx, n, time.Minute), "first Use")
		wantCode(t, s.Use(ctx, n, time.Minute), coach.ECONFLICT, "second Use")
		must(t, s.Use(ctx, n+"x", time.Minute), "Use of another nonce")
	})

	t.Run("NonPositiveTTLIsInvalid", func(t *testing.T) {
		t.Parallel()
		s := newNonces(t)
		n := randomKey(t)
		wantCode(t, s.Use(ctx, n, 0), coach.EINVALID, "Use ttl 0")
		must(t, s.Use(ctx, n, time.Minute), "Use after rejected Use")
	})

	t.Run("ConcurrentUseSucceedsOnce", func(t *testing.T) {
		t.Parallel()
		s := newNonces(t)
		n := randomKey(t)
		const workers = 16
		codes := make(chan coach.Code, workers)
		for range workers {
			go func() { codes <- coach.ErrorCode(s.Use(ctx, n, time.Minute)) }()
		}
		ok := 0
		for range workers {
			switch c := <-codes; c {
			case "":
				ok++
			case coach.ECONFLICT:
			default:
				t.Errorf("Use: code %q", c)
			}
		}
		if ok != 1 {
			t.Errorf("%d concurrent Uses succeeded, want exactly 1", ok)
		}
	})

	t.Run("UsableAgainAfterTTL", func(t *testing.T) {
		t.Parallel()
		s := newNonces(t)
		n := randomKey(t)
		must(t, s.Use(ctx, n, shortTTL), "Use")
		eventually(t, "nonce usable again after its ttl", func() bool {
			err := s.Use(ctx, n, time.Minute)
			if c := coach.ErrorCode(err); c != "" && c != coach.ECONFLICT {
				t.Fatalf("Use: %v", err)
			}
			return err == nil
		})
	})
}
