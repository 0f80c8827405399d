package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// KeyStores are the key-value stores of one adapter and the erasers that remove a user's keys
// from them (the Redis store erases all four at once; each memory store erases its own).
type KeyStores struct {
	Cache       storage.Cache
	Idempotency storage.Idempotency
	RateLimiter storage.RateLimiter
	Leases      storage.Leases
	Erasers     []storage.KeyEraser
}

// RunKeyEraser checks storage.KeyEraser: every key made by storage.UserKey for a user, through any
// of the stores, is gone after EraseUser, and nothing of another user or outside UserKey is.
func RunKeyEraser(t *testing.T, newStores func(t *testing.T) KeyStores) {
	erase := func(t *testing.T, ctx context.Context, s KeyStores, userID string) int {
		t.Helper()
		n := 0
		for _, e := range s.Erasers {
			c, err := e.EraseUser(ctx, userID)
			must(t, err, "EraseUser")
			n += c
		}
		return n
	}
	write := func(t *testing.T, ctx context.Context, s KeyStores, key string) {
		t.Helper()
		must(t, s.Cache.Set(ctx, storage.UserKey(key, "sim", "h1"), []byte("cached "+key), time.Hour), "Cache.Set")
		_, err := s.Idempotency.Claim(ctx, storage.UserKey(key, "idem", "k1"), "hash", time.Hour)
		must(t, err, "Idempotency.Claim")
		must(t, s.Idempotency.Complete(ctx, storage.UserKey(key, "idem", "k1"), []byte(`{"ok":true}`), time.Hour), "Idempotency.Complete")
		_, err = s.RateLimiter.Allow(ctx, storage.UserKey(key, "rate", "trades"), storage.Limit{Rate: 5, Burst: 5, Period: time.Minute})
		must(t, err, "RateLimiter.Allow")
		ok, err := s.Leases.Acquire(ctx, storage.UserKey(key, "import", "conn1"), "owner", time.Hour)
		must(t, err, "Leases.Acquire")
		if !ok {
			t.Fatal("Leases.Acquire: not acquired")
		}
	}

	t.Run("EraseUserRemovesEveryKeyOfTheUserOnly", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStores(t)
		u, other := coach.NewID(), coach.NewID()
		write(t, ctx, s, u)
		write(t, ctx, s, other)
		global := "sim:" + randomKey(t)
		must(t, s.Cache.Set(ctx, global, []byte("x"), time.Hour), "Cache.Set of a key outside UserKey")

		if n := erase(t, ctx, s, u); n != 4 {
			t.Errorf("EraseUser: %d keys, want 4 (cache, idempotency, rate limit, lease)", n)
		}
		_, err := s.Cache.Get(ctx, storage.UserKey(u, "sim", "h1"))
		wantCode(t, err, coach.ENOTFOUND, "Cache.Get after EraseUser")
		rec, err := s.Idempotency.Claim(ctx, storage.UserKey(u, "idem", "k1"), "other hash", time.Hour)
		must(t, err, "Idempotency.Claim after EraseUser (the key is free again)")
		if rec.State != storage.IdemClaimed {
			t.Errorf("Idempotency.Claim after EraseUser: state %v, want claimed", rec.State)
		}
		ok, err := s.Leases.Acquire(ctx, storage.UserKey(u, "import", "conn1"), "another owner", time.Hour)
		must(t, err, "Leases.Acquire after EraseUser")
		if !ok {
			t.Error("the erased user's lease is still held")
		}

		if v, err := s.Cache.Get(ctx, storage.UserKey(other, "sim", "h1")); err != nil || string(v) != "cached "+other {
			t.Errorf("other user's cache: %q, %v", v, err)
		}
		rec, err = s.Idempotency.Claim(ctx, storage.UserKey(other, "idem", "k1"), "hash", time.Hour)
		must(t, err, "other user's idempotency record")
		if rec.State != storage.IdemDone {
			t.Errorf("other user's idempotency record: state %v, want done", rec.State)
		}
		if ok, err := s.Leases.Acquire(ctx, storage.UserKey(other, "import", "conn1"), "another owner", time.Hour); err != nil || ok {
			t.Errorf("other user's lease: acquired by another owner (%v, %v)", ok, err)
		}
		if _, err := s.Cache.Get(ctx, global); err != nil {
			t.Errorf("key outside UserKey: %v", err)
		}
	})

	t.Run("EraseUserTwiceRemovesNothingMore", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := newStores(t)
		u := coach.NewID()
		write(t, ctx, s, u)
		erase(t, ctx, s, u)
		if n := erase(t, ctx, s, u); n != 0 {
			t.Errorf("second EraseUser: %d keys, want 0", n)
		}
		if n := erase(t, ctx, s, coach.NewID()); n != 0 {
			t.Errorf("EraseUser of a user without keys: %d, want 0", n)
		}
	})
}
