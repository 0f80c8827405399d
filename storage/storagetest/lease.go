package storagetest

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// RunLeases checks the storage.Leases contract against the adapter newLeases makes. Each subtest
// gets fresh Leases and random keys, and runs in parallel.
func RunLeases(t *testing.T, newLeases func(t *testing.T) storage.Leases) {
	ctx := context.Background()
	const hour = time.Hour

	t.Run("OneOwnerAtATime", func(t *testing.T) {
		t.Parallel()
		l := newLeases(t)
		k := randomKey(t)
		var got []bool
		for _, owner := range []string{"a", "b", "a"} {
			ok, err := l.Acquire(ctx, k, owner, hour)
			must(t, err, "Acquire")
			got = append(got, ok)
		}
		diff(t, "Acquire by a, b, a", []bool{true, false, true}, got)
		must(t, l.Release(ctx, k, "b"), "Release by b, who does not hold it")
		if ok, _ := l.Acquire(ctx, k, "b", hour); ok {
			t.Fatal("b acquired a's lease after releasing what it did not hold")
		}
		must(t, l.Release(ctx, k, "a"), "Release by a")
		ok, err := l.Acquire(ctx, k, "b", hour)
		must(t, err, "Acquire by b after a released")
		if !ok {
			t.Fatal("b could not acquire a released lease")
		}
	})

	t.Run("ExpiredLeaseIsFree", func(t *testing.T) {
		t.Parallel()
		l := newLeases(t)
		k := randomKey(t)
		ok, err := l.Acquire(ctx, k, "a", 50*time.Millisecond)
		must(t, err, "Acquire")
		if !ok {
			t.Fatal("first Acquire refused")
		}
		eventually(t, "b acquires after a's lease expired", func() bool {
			ok, err := l.Acquire(ctx, k, "b", hour)
			must(t, err, "Acquire by b")
			return ok
		})
		ok, err = l.Extend(ctx, k, "a", hour)
		must(t, err, "Extend by a")
		if ok {
			t.Error("a extended a lease b now holds")
		}
	})

	t.Run("HeldSaysWhetherSomeoneHoldsIt", func(t *testing.T) {
		t.Parallel()
		l := newLeases(t)
		k := randomKey(t)
		held := func(what string, want bool) {
			t.Helper()
			got, err := l.Held(ctx, k)
			must(t, err, "Held")
			if got != want {
				t.Errorf("Held %s: %v, want %v", what, got, want)
			}
		}
		held("before any Acquire", false)
		ok, err := l.Acquire(ctx, k, "a", hour)
		must(t, err, "Acquire")
		if !ok {
			t.Fatal("Acquire refused")
		}
		held("while a holds it", true)
		if ok, _ := l.Acquire(ctx, k, "b", hour); ok {
			t.Error("Held gave the lease away")
		}
		must(t, l.Release(ctx, k, "a"), "Release")
		held("after a released it", false)
		_, err = l.Acquire(ctx, k, "a", 50*time.Millisecond)
		must(t, err, "Acquire briefly")
		eventually(t, "the lease expires", func() bool {
			got, err := l.Held(ctx, k)
			must(t, err, "Held")
			return !got
		})
	})

	t.Run("ExtendKeepsTheLease", func(t *testing.T) {
		t.Parallel()
		l := newLeases(t)
		k := randomKey(t)
		_, err := l.Acquire(ctx, k, "a", 200*time.Millisecond)
		must(t, err, "Acquire")
		ok, err := l.Extend(ctx, k, "a", hour)
		must(t, err, "Extend")
		if !ok {
			t.Fatal("holder could not extend")
		}
		time.Sleep(300 * time.Millisecond)
		if ok, _ := l.Acquire(ctx, k, "b", hour); ok {
			t.Error("b acquired a lease a had extended")
		}
	})

	t.Run("ConcurrentAcquiresHaveOneWinner", func(t *testing.T) {
		t.Parallel()
		l := newLeases(t)
		k := randomKey(t)
		var won atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				ok, err := l.Acquire(ctx, k, "holder-"+strconv.Itoa(i), hour)
				if err != nil {
					t.Errorf("Acquire: %v", err)
				}
				if ok {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		if n := won.Load(); n != 1 {
			t.Errorf("%d owners acquired one key at once, want 1", n)
		}
	})

	t.Run("InvalidInputIsInvalid", func(t *testing.T) {
		t.Parallel()
		l := newLeases(t)
		k := randomKey(t)
		for name, call := range map[string]func() error{
			"empty key":      func() error { _, err := l.Acquire(ctx, "", "a", hour); return err },
			"empty owner":    func() error { _, err := l.Acquire(ctx, k, "", hour); return err },
			"ttl under 1ms":  func() error { _, err := l.Acquire(ctx, k, "a", time.Microsecond); return err },
			"extend ttl 0":   func() error { _, err := l.Extend(ctx, k, "a", 0); return err },
			"held empty key": func() error { _, err := l.Held(ctx, ""); return err },
		} {
			if code := coach.ErrorCode(call()); code != coach.EINVALID {
				t.Errorf("%s: code %q, want %q", name, code, coach.EINVALID)
			}
		}
	})
}
