package outbox_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/transport"
	transportmem "github.com/tradecoach/coach/transport/memory"
)

// frozenBus is a bus that hangs: every Publish blocks until thaw (or until its context ends),
// as a publish to a SIGSTOPped Redis does. entered is closed when the first Publish is waiting.
type frozenBus struct {
	transport.Bus
	entered   chan struct{}
	enterOnce sync.Once
	release   chan struct{}
	thawOnce  sync.Once
	thawed    atomic.Bool
}

func newFrozenBus(inner transport.Bus) *frozenBus {
	return &frozenBus{Bus: inner, entered: make(chan struct{}), release: make(chan struct{})}
}

func (b *frozenBus) Publish(ctx context.Context, e coach.Event) error {
	b.enterOnce.Do(func() { close(b.entered) })
	select {
	case <-b.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return b.Bus.Publish(ctx, e)
}

// thaw lets every Publish through from now on. thawed is set before the bus moves again, so
// a call that returns while thawed is false returned while the bus was still frozen.
func (b *frozenBus) thaw() {
	b.thawOnce.Do(func() {
		b.thawed.Store(true)
		close(b.release)
	})
}

// freezeWithDispatcher starts a dispatcher on store over a frozen bus and returns once it is
// stuck publishing user's first event (so it holds whatever it holds while publishing). The
// dispatcher stops and the bus thaws at cleanup.
func freezeWithDispatcher(t testing.TB, store storage.Store, inner transport.Bus, user string) *frozenBus {
	t.Helper()
	bus := newFrozenBus(inner)
	e, _ := coach.NewEvent(user, coach.EventImportProgress, 1, map[string]int{"seq": -1})
	if _, err := store.Events().Append(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	d, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, PollInterval: 10 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { bus.thaw(); stop(); <-done })
	select {
	case <-bus.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the dispatcher never published")
	}
	return bus
}

// TestFrozenBusBlocksNoAppendOrRead is issue 12 point 3: while the dispatcher is stuck publishing
// a user's event to a bus that hangs, an append for that very user, an append for another user
// and reads of both return — before the bus moves again. A watchdog thaws the bus after a while
// so that a store that does block fails the test instead of hanging it; the assertion is on
// order (returned before the thaw), not on time.
func TestFrozenBusBlocksNoAppendOrRead(t *testing.T) {
	stores(t, func(t *testing.T, store storage.Store) {
		inner := transportmem.NewBus(10_000)
		alice, bob := newUser(t, store), newUser(t, store)
		bobsFirst := appendEvents(t, store, bob, 1)
		sub, _ := inner.Subscribe(context.Background(), alice)
		bus := freezeWithDispatcher(t, store, inner, alice)
		watchdog := time.AfterFunc(15*time.Second, bus.thaw)
		defer watchdog.Stop()

		check := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if bus.thawed.Load() {
				t.Fatalf("%s returned only after the bus was released: publishing blocks it", what)
			}
		}
		ctx := context.Background()
		e, _ := coach.NewEvent(alice, coach.EventImportProgress, 1, map[string]int{"seq": 0})
		got, err := store.Events().Append(ctx, e)
		check("Append for the user being published", err)
		aliceNext := got[0].ID
		err = store.InTx(ctx, func(tx storage.Tx) error {
			e, _ := coach.NewEvent(alice, coach.EventImportProgress, 1, map[string]int{"seq": 1})
			_, err := tx.Events().Append(ctx, e)
			return err
		})
		check("Append inside InTx for the user being published", err)
		e, _ = coach.NewEvent(bob, coach.EventImportProgress, 1, map[string]int{"seq": 1})
		_, err = store.Events().Append(ctx, e)
		check("Append for another user", err)
		evs, err := store.Events().Since(ctx, alice, "", 100)
		check("Since for the user being published", err)
		if len(evs) != 3 {
			t.Errorf("Since(alice) gave %d events, want 3", len(evs))
		}
		evs, err = store.Events().Since(ctx, bob, bobsFirst[0], 100)
		check("Since for another user", err)
		if len(evs) != 1 {
			t.Errorf("Since(bob) gave %d events, want 1", len(evs))
		}
		_, err = store.Users().ByID(ctx, bob)
		check("reading another user", err)

		bus.thaw()
		all, err := store.Events().Since(ctx, alice, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range all {
			want = append(want, e.ID)
		}
		if diff := cmp.Diff(want, inOrder(t, sub, len(want))); diff != "" {
			t.Errorf("alice's events as published after the thaw (-stored +got):\n%s", diff)
		}
		if want[1] != aliceNext {
			t.Errorf("the append during the freeze is not alice's second event")
		}
		waitUndelivered(t, store, 0)
	})
}

// BenchmarkFrozenBus measures appends and reads while the dispatcher is stuck publishing to a
// frozen bus: each iteration appends an event for the user being published (the worst case: the
// one whose events the dispatcher holds) and reads another user's events. It reports the p50
// and p99 of each in milliseconds (goal: p99 ≤ 50 ms), and fails if the bus thawed meanwhile.
func BenchmarkFrozenBus(b *testing.B) {
	for _, tc := range []struct {
		name  string
		store func(b *testing.B) storage.Store
	}{
		{"Memory", func(*testing.B) storage.Store { return memory.New() }},
		{"Postgres", func(b *testing.B) storage.Store {
			return postgrestest.MustOpenTestDBWith(b, func(c *postgres.Config) { c.MaxConns = 8 })
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			store := tc.store(b)
			alice, bob := newUser(b, store), newUser(b, store)
			appendEvents(b, store, bob, 20)
			bus := freezeWithDispatcher(b, store, transportmem.NewBus(0), alice)
			ctx := context.Background()
			var appends, reads []time.Duration
			i := 0
			for b.Loop() {
				e, _ := coach.NewEvent(alice, coach.EventImportProgress, 1, map[string]int{"seq": i})
				i++
				start := time.Now()
				if _, err := store.Events().Append(ctx, e); err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				if _, err := store.Events().Since(ctx, bob, "", 20); err != nil {
					b.Fatal(err)
				}
				appends, reads = append(appends, mid.Sub(start)), append(reads, time.Since(mid))
			}
			if bus.thawed.Load() {
				b.Fatal("the bus thawed during the benchmark")
			}
			b.ReportMetric(quantileMS(appends, 0.50), "append-p50-ms")
			b.ReportMetric(quantileMS(appends, 0.99), "append-p99-ms")
			b.ReportMetric(quantileMS(reads, 0.50), "read-p50-ms")
			b.ReportMetric(quantileMS(reads, 0.99), "read-p99-ms")
		})
	}
}

// quantileMS returns the q-quantile of ds (nearest rank) in milliseconds.
func quantileMS(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, int(math.Ceil(q*float64(len(s))))-1)
	return float64(s[max(i, 0)]) / float64(time.Millisecond)
}
