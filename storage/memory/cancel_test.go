package memory_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/canceltest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// TestContextEndedIsCanceled checks that every adapter of this package, given a cancelled or
// expired context, returns ECANCELED with the context's error reachable by errors.Is, and
// stores nothing.
func TestContextEndedIsCanceled(t *testing.T) {
	t.Parallel()
	s := memory.New()
	u := newUser(t, s)
	blobs, cache := memory.NewBlobs(), memory.NewCache(nil)
	idem, nonces, limiter := memory.NewIdempotency(nil), memory.NewNonces(nil), memory.NewRateLimiter(nil)
	for _, c := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Users.ByID", func(ctx context.Context) error { _, err := s.Users().ByID(ctx, u.ID); return err }},
		{"Trades.Upsert", func(ctx context.Context) error {
			_, err := s.Trades().Upsert(ctx, u.ID, []coach.Trade{validTrade("a", epoch)})
			return err
		}},
		{"Trades.Count", func(ctx context.Context) error { _, err := s.Trades().Count(ctx, u.ID); return err }},
		{"InTx", func(ctx context.Context) error { return s.InTx(ctx, func(storage.Tx) error { return nil }) }},
		{"Blobs.Put", func(ctx context.Context) error {
			_, err := blobs.Put(ctx, "k", strings.NewReader("v"), "")
			return err
		}},
		{"Blobs.Get", func(ctx context.Context) error { _, _, err := blobs.Get(ctx, "k"); return err }},
		{"Cache.Set", func(ctx context.Context) error { return cache.Set(ctx, "k", []byte("v"), time.Minute) }},
		{"Cache.Get", func(ctx context.Context) error { _, err := cache.Get(ctx, "k"); return err }},
		{"Idempotency.Claim", func(ctx context.Context) error {
			_, err := idem.Claim(ctx, "k", "h", time.Minute)
			return err
		}},
		{"Nonces.Use", func(ctx context.Context) error { return nonces.Use(ctx, "n", time.Minute) }},
		{"RateLimiter.Allow", func(ctx context.Context) error {
			_, err := limiter.Allow(ctx, "k", storage.Limit{Rate: 1, Burst: 1, Period: time.Second})
			return err
		}},
	} {
		for _, e := range canceltest.Ends() {
			t.Run(c.name+"/"+e.Name, func(t *testing.T) {
				ctx, cancel := e.Context()
				defer cancel()
				canceltest.Want(t, c.call(ctx), e.Target)
			})
		}
	}
	if n, _ := s.Trades().Count(context.Background(), u.ID); n != 0 {
		t.Errorf("%d trades stored by cancelled calls, want 0", n)
	}
	if _, _, err := blobs.Get(context.Background(), "k"); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("a blob was stored by a cancelled Put: %v", err)
	}
}

// TestContextEndedBeforeCommitIsCanceled: a context cancelled while fn runs makes the commit
// fail with ECANCELED and rolls everything back.
func TestContextEndedBeforeCommitIsCanceled(t *testing.T) {
	t.Parallel()
	s := memory.New()
	u := newUser(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	err := s.InTx(ctx, func(tx storage.Tx) error {
		_, err := tx.Trades().Upsert(ctx, u.ID, []coach.Trade{validTrade("a", epoch)})
		cancel()
		return err
	})
	canceltest.Want(t, err, context.Canceled)
	if n, _ := s.Trades().Count(context.Background(), u.ID); n != 0 {
		t.Errorf("%d trades after the failed commit, want 0", n)
	}
}
