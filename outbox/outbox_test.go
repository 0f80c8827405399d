package outbox_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/transport"
	transportmem "github.com/tradecoach/coach/transport/memory"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// flakyBus fails every publish while down is set, and counts what it delivered.
type flakyBus struct {
	transport.Bus
	down      atomic.Bool
	failAfter atomic.Int64 // when > 0, the publish with this 1-based number fails once
	published atomic.Int64
}

func (b *flakyBus) Publish(ctx context.Context, e coach.Event) error {
	n := b.published.Add(1)
	if b.down.Load() || b.failAfter.CompareAndSwap(n, 0) {
		return coach.Errorf(coach.EUNAVAILABLE, "bus down")
	}
	return b.Bus.Publish(ctx, e)
}

func newUser(t testing.TB, s storage.Store) string {
	t.Helper()
	id := coach.NewID()
	err := s.Users().Create(context.Background(), coach.User{ID: id, Email: id + "@example.com", CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func appendEvents(t testing.TB, s storage.Store, userID string, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := range n {
		e, _ := coach.NewEvent(userID, coach.EventImportProgress, 1, map[string]int{"seq": i})
		got, err := s.Events().Append(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got[0].ID)
	}
	return ids
}

// collect reads the subscription until it has want distinct event ids or the deadline passes.
func collect(t *testing.T, sub transport.Subscription, want int) []string {
	t.Helper()
	seen := map[string]bool{}
	var order []string
	deadline := time.After(10 * time.Second)
	for len(order) < want {
		select {
		case e := <-sub.Events():
			if !seen[e.ID] {
				seen[e.ID] = true
				order = append(order, e.ID)
			}
		case <-deadline:
			t.Fatalf("received %d of %d events", len(order), want)
		}
	}
	return order
}

func undelivered(t *testing.T, s storage.Store) int {
	t.Helper()
	evs, err := s.Events().Undelivered(context.Background(), storage.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// waitUndelivered waits until the store has want undelivered events: the last batch is published
// before it is marked delivered.
func waitUndelivered(t *testing.T, s storage.Store, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for undelivered(t, s) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d events undelivered, want %d", undelivered(t, s), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDispatchDeliversInOrderAndMarksDelivered(t *testing.T) {
	store, bus := memory.New(), transportmem.NewBus(10_000)
	user := newUser(t, store)
	sub, _ := bus.Subscribe(context.Background(), user)
	want := appendEvents(t, store, user, 1200)
	d, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, BatchSize: 500, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for {
		n, err := d.DispatchOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		total += n
	}
	if total != 1200 || undelivered(t, store) != 0 {
		t.Fatalf("delivered %d, %d left undelivered", total, undelivered(t, store))
	}
	got := collect(t, sub, 1200)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d: got %s, want %s", i, got[i], want[i])
		}
	}
}

func TestBusOutageLosesNothing(t *testing.T) {
	store := memory.New()
	bus := &flakyBus{Bus: transportmem.NewBus(10_000)}
	user := newUser(t, store)
	sub, _ := bus.Subscribe(context.Background(), user)
	appendEvents(t, store, user, 300)
	d, _ := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, BatchSize: 100, Logger: quiet})

	bus.failAfter.Store(50) // dies in the middle of the first batch
	if _, err := d.DispatchOnce(context.Background()); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Fatalf("DispatchOnce during outage: %v", err)
	}
	if n := undelivered(t, store); n != 300 {
		t.Fatalf("a failed batch marked events delivered: %d undelivered, want 300", n)
	}
	bus.down.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	time.Sleep(100 * time.Millisecond) // Run retries against the dead bus meanwhile
	bus.down.Store(false)
	d.Notify()
	collect(t, sub, 300) // every event arrives (the first 49 possibly twice: at least once)
	waitUndelivered(t, store, 0)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
}

// blockingBus blocks every publish after the first n until its context ends: a dispatcher killed
// mid-batch.
type blockingBus struct {
	transport.Bus
	n atomic.Int64
}

func (b *blockingBus) Publish(ctx context.Context, e coach.Event) error {
	if b.n.Add(-1) < 0 {
		<-ctx.Done()
		return ctx.Err()
	}
	return b.Bus.Publish(ctx, e)
}

// stores runs test against the in-memory store and a Postgres schema of its own (skipped, or
// failed under COACH_REQUIRE_SERVICES=1, without the test server).
func stores(t *testing.T, test func(t *testing.T, s storage.Store)) {
	t.Run("Memory", func(t *testing.T) {
		t.Parallel()
		test(t, memory.New())
	})
	t.Run("Postgres", func(t *testing.T) {
		t.Parallel()
		test(t, postgrestest.MustOpenTestDB(t))
	})
}

func TestDispatcherKilledMidBatchLosesNothing(t *testing.T) {
	stores(t, func(t *testing.T, store storage.Store) {
		inner := transportmem.NewBus(10_000)
		user := newUser(t, store)
		sub, _ := inner.Subscribe(context.Background(), user)
		want := appendEvents(t, store, user, 200)

		killed := &blockingBus{Bus: inner}
		killed.n.Store(120)
		d1, _ := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: killed, BatchSize: 200, Logger: quiet})
		ctx, kill := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer kill()
		if err := d1.Run(ctx); err == nil {
			t.Fatal("killed dispatcher returned nil")
		}
		if n := undelivered(t, store); n != 200 {
			t.Fatalf("killed batch marked events delivered: %d undelivered, want 200", n)
		}
		d2, _ := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: inner, Logger: quiet})
		if _, err := d2.DispatchOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, collect(t, sub, 200)); diff != "" {
			t.Fatalf("distinct events received (-appended +got):\n%s", diff)
		}
		if n := undelivered(t, store); n != 0 {
			t.Fatalf("%d events undelivered after the second dispatcher", n)
		}
	})
}

// Several dispatchers on one store deliver every event, and each user's events in id order: a
// relay drops an event whose id is not above the last one it sent, so a user's events published
// out of order by two dispatchers would be lost to its clients.
func TestSeveralDispatchersDeliverEachUsersEventsInOrder(t *testing.T) {
	stores(t, func(t *testing.T, store storage.Store) {
		bus := transportmem.NewBus(100_000)
		users := []string{newUser(t, store), newUser(t, store), newUser(t, store)}
		subs := make([]transport.Subscription, len(users))
		for i, u := range users {
			subs[i], _ = bus.Subscribe(context.Background(), u)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var runs sync.WaitGroup
		for range 3 {
			d, _ := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, BatchSize: 37,
				PollInterval: 5 * time.Millisecond, Logger: quiet})
			runs.Go(func() { d.Run(ctx) })
		}
		want := make([][]string, len(users))
		var wg sync.WaitGroup
		for i, u := range users {
			wg.Go(func() { want[i] = appendEvents(t, store, u, 400) })
		}
		wg.Wait()
		for i := range users {
			got := inOrder(t, subs[i], 400)
			if diff := cmp.Diff(want[i], got); diff != "" {
				t.Errorf("user %d's events as published (-appended +got):\n%s", i, diff)
			}
		}
		waitUndelivered(t, store, 0)
		cancel()
		runs.Wait()
	})
}

// inOrder reads the subscription until it has want distinct events and returns their ids in
// the order first received. Repeats are allowed (delivery is at least once: a dispatcher whose
// claim started before another's batch committed may publish that batch again), but a new id
// below one already received fails t: a relay would drop it as a repeat, so its clients would
// never see it.
func inOrder(t *testing.T, sub transport.Subscription, want int) []string {
	t.Helper()
	var got []string
	seen := map[string]bool{}
	repeats := 0
	deadline := time.After(30 * time.Second)
	for len(got) < want {
		select {
		case e := <-sub.Events():
			switch n := len(got); {
			case seen[e.ID]:
				repeats++
			case n > 0 && e.ID < got[n-1]:
				t.Fatalf("event %s first published after %s: a relay would drop it", e.ID, got[n-1])
			default:
				seen[e.ID] = true
				got = append(got, e.ID)
			}
		case <-deadline:
			t.Fatalf("received %d of %d events", len(got), want)
		}
	}
	if repeats > 0 {
		t.Logf("%d events were published more than once", repeats)
	}
	return got
}

// Notify wakes an idle dispatcher at once: with an hour's poll interval, only Notify can deliver
// the event in time.
func TestNotifyWakesAnIdleDispatcher(t *testing.T) {
	store, bus := memory.New(), transportmem.NewBus(0)
	user := newUser(t, store)
	sub, _ := bus.Subscribe(context.Background(), user)
	d, _ := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, PollInterval: time.Hour, Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	for round := range 3 {
		waitUndelivered(t, store, 0) // the dispatcher found nothing (more) and sleeps
		want := appendEvents(t, store, user, 1)
		d.Notify()
		if got := collect(t, sub, 1); got[0] != want[0] {
			t.Fatalf("round %d: got %s, want %s", round, got[0], want[0])
		}
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
}

func TestReplayPagesAndRefusesAPrunedSince(t *testing.T) {
	clock := coach.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	store := memory.New(memory.WithClock(clock))
	user := newUser(t, store)
	old := appendEvents(t, store, user, 5)
	clock.Advance(100 * 24 * time.Hour)
	recent := appendEvents(t, store, user, 23)

	var got []string
	last, err := outbox.Replay(context.Background(), store.Events(), user, old[4], 10, func(e coach.Event) error {
		got = append(got, e.ID)
		return nil
	})
	if err != nil || len(got) != 23 || last != recent[22] {
		t.Fatalf("replay: %d events, last %s, err %v", len(got), last, err)
	}

	pruned, err := mustRetention(t, outbox.RetentionConfig{Events: store.Events(), Keep: outbox.DefaultRetention}).Run(context.Background(), clock.Now())
	if err != nil || pruned != 5 {
		t.Fatalf("retention pruned %d, err %v; want 5", pruned, err)
	}
	emitted := 0
	_, err = outbox.Replay(context.Background(), store.Events(), user, old[1], 10, func(coach.Event) error { emitted++; return nil })
	if coach.ErrorCode(err) != coach.EGONE || emitted != 0 {
		t.Fatalf("replay since a pruned id: err %v after %d events, want EGONE before any", err, emitted)
	}
}

// shortPages is a storage.Events whose Since returns at most 3 events, whatever the limit: a
// store (or an API in front of one) with a lower page cap than the caller asked for.
type shortPages struct{ storage.Events }

func (s shortPages) Since(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error) {
	page, err := s.Events.Since(ctx, userID, afterID, limit)
	return page[:min(len(page), 3)], err
}

func TestReplayOfShortPagesGivesEverything(t *testing.T) {
	store := memory.New()
	user := newUser(t, store)
	want := appendEvents(t, store, user, 23)
	var got []string
	last, err := outbox.Replay(context.Background(), shortPages{store.Events()}, user, "", 10, func(e coach.Event) error {
		got = append(got, e.ID)
		return nil
	})
	if err != nil || last != want[22] {
		t.Fatalf("Replay = %s, %v; want %s", last, err, want[22])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("replayed (-stored +got):\n%s", diff)
	}
}

// TestRetentionNeverDropsEverything: a Keep of 0 is the default 90 days, not "keep nothing"; a
// negative Keep is refused at construction, and a Retention not constructed prunes nothing.
func TestRetentionNeverDropsEverything(t *testing.T) {
	store := memory.New()
	user := newUser(t, store)
	appendEvents(t, store, user, 3)
	later := time.Now().Add(time.Hour)
	n, err := mustRetention(t, outbox.RetentionConfig{Events: store.Events()}).Run(context.Background(), later)
	if err != nil || n != 0 {
		t.Fatalf("keep 0: pruned %d, err %v; want the default retention, nothing pruned", n, err)
	}
	if _, err := outbox.NewRetention(outbox.RetentionConfig{Events: store.Events(), Keep: -time.Hour}); coach.ErrorCode(err) != coach.EINVALID {
		t.Fatalf("keep −1h: %v, want EINVALID", err)
	}
	if n, err := new(outbox.Retention).Run(context.Background(), later); coach.ErrorCode(err) != coach.EINVALID || n != 0 {
		t.Fatalf("zero Retention: pruned %d, err %v", n, err)
	}
	if evs, _ := store.Events().Since(context.Background(), user, "", 10); len(evs) != 3 {
		t.Fatalf("events left: %d, want 3", len(evs))
	}
}

func TestConstructors(t *testing.T) {
	store := memory.New()
	bus := transportmem.NewBus(0)
	for _, tc := range []struct {
		field string
		new   func() (any, error)
	}{
		{"DispatcherConfig.Store", func() (any, error) { return outbox.NewDispatcher(outbox.DispatcherConfig{Bus: bus}) }},
		{"DispatcherConfig.Bus", func() (any, error) { return outbox.NewDispatcher(outbox.DispatcherConfig{Store: store}) }},
		{"DispatcherConfig.BatchSize", func() (any, error) {
			return outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, BatchSize: -1})
		}},
		{"DispatcherConfig.PollInterval", func() (any, error) {
			return outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, PollInterval: -1})
		}},
		{"DispatcherConfig.MaxBackoff", func() (any, error) {
			return outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, MaxBackoff: -1})
		}},
		{"RetentionConfig.Events", func() (any, error) { return outbox.NewRetention(outbox.RetentionConfig{}) }},
		{"RetentionConfig.Keep", func() (any, error) {
			return outbox.NewRetention(outbox.RetentionConfig{Events: store.Events(), Keep: -1})
		}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := tc.new()
			servicetest.RefusesField(t, err, tc.field)
		})
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*outbox.Dispatcher)(nil), (*outbox.Retention)(nil)})
}

func TestDispatchMetrics(t *testing.T) {
	store := memory.New()
	user := newUser(t, store)
	appendEvents(t, store, user, 7)
	rec := &servicetest.Metrics{}
	d, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: transportmem.NewBus(0), BatchSize: 5, Metrics: rec})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := d.DispatchOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := rec.Counted(coach.MetricEventsDispatched); got != 7 {
		t.Errorf("events dispatched = %d, want 7", got)
	}
	if got := rec.Observed(coach.MetricDispatchDuration, "outcome", coach.OutcomeOK); got != 3 {
		t.Errorf("batches observed = %d, want 3", got)
	}
}

// mustRetention returns outbox.NewRetention(cfg) or fails the test.
func mustRetention(t *testing.T, cfg outbox.RetentionConfig) *outbox.Retention {
	t.Helper()
	r, err := outbox.NewRetention(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
