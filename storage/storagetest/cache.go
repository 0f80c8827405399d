package storagetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// RunCache checks the storage.Cache contract against the adapter newCache makes. Each subtest
// gets a fresh Cache and random keys, and runs in parallel.
func RunCache(t *testing.T, newCache func(t *testing.T) storage.Cache) {
	ctx := context.Background()

	t.Run("GetAbsentIsNotFound", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		_, err := c.Get(ctx, randomKey(t))
		wantCode(t, err, coach.ENOTFOUND, "Get absent key")
	})

	t.Run("SetThenGet", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		k := randomKey(t)
		must(t, c.Set(ctx, k, []byte("hello"), time.Minute), "Set")
		got, err := c.Get(ctx, k)
		must(t, err, "Get")
		if string(got) != "hello" {
			t.Errorf("Get = %q, want %q", got, "hello")
		}
	})

	t.Run("SetReplaces", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		k := randomKey(t)
		must(t, c.Set(ctx, k, []byte("one"), time.Minute), "Set one")
		must(t, c.Set(ctx, k, []byte("two"), time.Minute), "Set two")
		got, err := c.Get(ctx, k)
		must(t, err, "Get")
		if string(got) != "two" {
			t.Errorf("Get = %q, want %q", got, "two")
		}
	})

	t.Run("BinaryValueRoundTrips", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		k := randomKey(t)
		v := []byte{0, 1, 2, 0xff, 0xfe, '\n', 0}
		must(t, c.Set(ctx, k, v, time.Minute), "Set")
		got, err := c.Get(ctx, k)
		must(t, err, "Get")
		if !bytes.Equal(got, v) {
			t.Errorf("Get = %x, want %x", got, v)
		}
	})

	t.Run("KeysAreIndependent", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		p := randomKey(t)
		must(t, c.Set(ctx, p+":a", []byte("a"), time.Minute), "Set a")
		must(t, c.Set(ctx, p+":b", []byte("b"), time.Minute), "Set b")
		must(t, c.Delete(ctx, p+":a"), "Delete a")
		_, err := c.Get(ctx, p+":a")
		wantCode(t, err, coach.ENOTFOUND, "Get deleted a")
		got, err := c.Get(ctx, p+":b")
		must(t, err, "Get b")
		if string(got) != "b" {
			t.Errorf("Get b = %q, want %q", got, "b")
		}
	})

	t.Run("DeleteAbsentIsNotAnError", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		must(t, c.Delete(ctx, randomKey(t)), "Delete absent")
	})

	t.Run("NonPositiveTTLIsInvalid", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		k := randomKey(t)
		wantCode(t, c.Set(ctx, k, []byte("x"), 0), coach.EINVALID, "Set ttl 0")
		wantCode(t, c.Set(ctx, k, []byte("x"), -time.Second), coach.EINVALID, "Set ttl -1s")
		_, err := c.Get(ctx, k)
		wantCode(t, err, coach.ENOTFOUND, "Get after rejected Set")
	})

	t.Run("CallerCannotMutateStoredValue", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		k := randomKey(t)
		v := []byte("abc")
		must(t, c.Set(ctx, k, v, time.Minute), "Set")
		v[0] = 'X'
		got, err := c.Get(ctx, k)
		must(t, err, "Get")
		got[1] = 'Y'
		again, err := c.Get(ctx, k)
		must(t, err, "Get again")
		if string(again) != "abc" {
			t.Errorf("stored value changed through a caller's slice: %q, want %q", again, "abc")
		}
	})

	t.Run("ExpiresAfterTTL", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		k := randomKey(t)
		must(t, c.Set(ctx, k, []byte("short"), shortTTL), "Set short")
		must(t, c.Set(ctx, k+":long", []byte("long"), time.Hour), "Set long")
		eventually(t, "short-TTL key expired", func() bool {
			_, err := c.Get(ctx, k)
			if code := coach.ErrorCode(err); code != "" && code != coach.ENOTFOUND {
				t.Fatalf("Get: %v", err)
			}
			return coach.ErrorCode(err) == coach.ENOTFOUND
		})
		if _, err := c.Get(ctx, k+":long"); err != nil {
			t.Errorf("long-TTL key: %v", err)
		}
	})

	t.Run("SetRenewsTTL", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		k := randomKey(t)
		must(t, c.Set(ctx, k, []byte("v1"), shortTTL), "Set short")
		must(t, c.Set(ctx, k, []byte("v2"), time.Hour), "Set long")
		time.Sleep(2 * shortTTL)
		got, err := c.Get(ctx, k)
		must(t, err, "Get after the first TTL passed")
		if string(got) != "v2" {
			t.Errorf("Get = %q, want v2", got)
		}
	})
}
