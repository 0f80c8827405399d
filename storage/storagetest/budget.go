package storagetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// RunWeightBudget checks the storage.WeightBudget contract against the adapter newBudget makes.
// Each subtest gets a fresh budget and random keys, and runs in parallel. Times are passed by
// the caller, so the subtests need no waiting.
func RunWeightBudget(t *testing.T, newBudget func(t *testing.T) storage.WeightBudget) {
	ctx := context.Background()
	minute := storage.WeightLimit{Weight: 100, Window: time.Minute}
	// t0 is 10 s into a minute.
	t0 := time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC)

	t.Run("TakesUpToTheLimitThenWaitsForTheNextWindow", func(t *testing.T) {
		t.Parallel()
		b := newBudget(t)
		k := randomKey(t)
		var got []storage.WeightGrant
		for _, cost := range []int{40, 40, 20, 1} {
			g, err := b.Take(ctx, k, cost, t0, minute)
			must(t, err, "Take")
			got = append(got, g)
		}
		diff(t, "grants", []storage.WeightGrant{
			{Granted: true, Used: 40},
			{Granted: true, Used: 80},
			{Granted: true, Used: 100},
			{Granted: false, Used: 100, Wait: 50 * time.Second},
		}, got)
		g, err := b.Take(ctx, k, 100, t0.Add(50*time.Second), minute)
		must(t, err, "Take in the next window")
		diff(t, "the next window's grant", storage.WeightGrant{Granted: true, Used: 100}, g)
	})

	t.Run("RefusedTakeTakesNothing", func(t *testing.T) {
		t.Parallel()
		b := newBudget(t)
		k := randomKey(t)
		_, err := b.Take(ctx, k, 90, t0, minute)
		must(t, err, "Take 90")
		g, err := b.Take(ctx, k, 20, t0, minute)
		must(t, err, "Take 20")
		if g.Granted {
			t.Fatalf("Take 20 after 90 of 100: granted %+v", g)
		}
		g, err = b.Take(ctx, k, 10, t0, minute)
		must(t, err, "Take 10")
		diff(t, "Take 10 after a refused 20", storage.WeightGrant{Granted: true, Used: 100}, g)
	})

	t.Run("KeysAreIndependent", func(t *testing.T) {
		t.Parallel()
		b := newBudget(t)
		k := randomKey(t)
		_, err := b.Take(ctx, k+":a", 100, t0, minute)
		must(t, err, "Take a")
		must(t, b.Pause(ctx, k+":a", t0.Add(time.Hour)), "Pause a")
		g, err := b.Take(ctx, k+":b", 100, t0, minute)
		must(t, err, "Take b")
		diff(t, "b's grant", storage.WeightGrant{Granted: true, Used: 100}, g)
	})

	t.Run("ConcurrentTakesNeverPassTheLimit", func(t *testing.T) {
		t.Parallel()
		b := newBudget(t)
		k := randomKey(t)
		var mu sync.Mutex
		granted := 0
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 10 {
					g, err := b.Take(ctx, k, 3, t0, minute)
					if err != nil {
						t.Errorf("Take: %v", err)
						return
					}
					if g.Granted {
						mu.Lock()
						granted += 3
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		if granted != 99 {
			t.Errorf("80 concurrent Takes of 3 under 100: granted %d, want 99", granted)
		}
	})

	t.Run("PauseRefusesEveryTakeUntilItEnds", func(t *testing.T) {
		t.Parallel()
		b := newBudget(t)
		k := randomKey(t)
		must(t, b.Pause(ctx, k, t0.Add(30*time.Second)), "Pause")
		g, err := b.Take(ctx, k, 1, t0, minute)
		must(t, err, "Take while paused")
		diff(t, "Take while paused", storage.WeightGrant{Wait: 30 * time.Second}, g)
		// A shorter pause does not cut the longer one short.
		must(t, b.Pause(ctx, k, t0.Add(5*time.Second)), "shorter Pause")
		g, err = b.Take(ctx, k, 1, t0.Add(10*time.Second), minute)
		must(t, err, "Take after the shorter pause")
		diff(t, "Take after the shorter pause's end", storage.WeightGrant{Wait: 20 * time.Second}, g)
		g, err = b.Take(ctx, k, 1, t0.Add(30*time.Second), minute)
		must(t, err, "Take at the pause's end")
		diff(t, "Take at the pause's end", storage.WeightGrant{Granted: true, Used: 1}, g)
	})

	t.Run("ObserveRaisesTheWindowsWeight", func(t *testing.T) {
		t.Parallel()
		b := newBudget(t)
		k := randomKey(t)
		_, err := b.Take(ctx, k, 10, t0, minute)
		must(t, err, "Take")
		must(t, b.Observe(ctx, k, 95, t0, minute), "Observe 95")
		must(t, b.Observe(ctx, k, 50, t0, minute), "Observe 50")
		g, err := b.Take(ctx, k, 5, t0, minute)
		must(t, err, "Take after Observe")
		diff(t, "Take 5 after 95 observed (50 later)", storage.WeightGrant{Granted: true, Used: 100}, g)
		// Observing a later window leaves the earlier one alone.
		must(t, b.Observe(ctx, k, 7, t0.Add(time.Minute), minute), "Observe next window")
		g, err = b.Take(ctx, k, 93, t0.Add(time.Minute), minute)
		must(t, err, "Take next window")
		diff(t, "next window's grant", storage.WeightGrant{Granted: true, Used: 100}, g)
	})

	t.Run("InvalidInputIsInvalid", func(t *testing.T) {
		t.Parallel()
		b := newBudget(t)
		k := randomKey(t)
		for name, call := range map[string]func() error{
			"cost 0":          func() error { _, err := b.Take(ctx, k, 0, t0, minute); return err },
			"cost over limit": func() error { _, err := b.Take(ctx, k, 101, t0, minute); return err },
			"zero limit":      func() error { _, err := b.Take(ctx, k, 1, t0, storage.WeightLimit{}); return err },
			"window under 1ms": func() error {
				_, err := b.Take(ctx, k, 1, t0, storage.WeightLimit{Weight: 1, Window: time.Microsecond})
				return err
			},
			"observe negative": func() error { return b.Observe(ctx, k, -1, t0, minute) },
			"observe zero limit": func() error {
				return b.Observe(ctx, k, 1, t0, storage.WeightLimit{Weight: 0, Window: time.Minute})
			},
		} {
			if code := coach.ErrorCode(call()); code != coach.EINVALID {
				t.Errorf("%s: code %q, want %q", name, code, coach.EINVALID)
			}
		}
	})
}
