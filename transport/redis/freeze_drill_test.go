package redis_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/transport/redis"
)

// TestDispatcherDrillFrozenRedis is the drill of issue 12 points 3 and 11: a Redis of the test's
// own is frozen (SIGSTOP) under a running dispatcher. While it stays frozen, appends for the user
// whose events the dispatcher is trying to publish, and reads, return (the assertion is that they
// returned before the SIGCONT, not how fast); on Postgres the dispatcher's own database
// connections are killed (pg_terminate_backend) again and again meanwhile. After the thaw a
// follower that resubscribes and replays, as the relay does, has every event exactly once and in
// order, and nothing is left undelivered.
func TestDispatcherDrillFrozenRedis(t *testing.T) {
	t.Parallel()
	t.Run("Memory", func(t *testing.T) {
		t.Parallel()
		s := memory.New()
		frozenRedisDrill(t, s, s, nil)
	})
	t.Run("Postgres", func(t *testing.T) {
		t.Parallel()
		db := postgrestest.MustOpenTestDB(t)
		app := db.Schema() + "_dispatcher"
		own, err := postgres.Open(context.Background(), postgres.Config{URL: postgrestest.TestURL(), Schema: db.Schema(),
			MaxConns: 2, NoMigrate: true, ApplicationName: app})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { own.Close() })
		kill := func() int {
			var n int
			err := db.Pool().QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE application_name = $1 AND pid <> pg_backend_pid()`, app).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		frozenRedisDrill(t, db, own, kill)
	})
}

// frozenRedisDrill runs the drill with appends and reads on store and the dispatcher on
// dispatcherStore (the same data). kill, when set, kills the dispatcher's database connections
// and returns how many it found.
func frozenRedisDrill(t *testing.T, store, dispatcherStore storage.Store, kill func() int) {
	srv := startServer(t)
	// No read timeout: a publish hangs for as long as Redis stays frozen (or its context lasts).
	client := goredis.NewClient(&goredis.Options{Addr: srv.Addr(), ReadTimeout: -1, WriteTimeout: -1})
	t.Cleanup(func() { _ = client.Close() })
	bus := newBus(t, client, redis.BusConfig{Prefix: redistest.RandomPrefix()})
	ctx := context.Background()
	user, other := coach.NewID(), coach.NewID()
	for _, id := range []string{user, other} {
		if err := store.Users().Create(ctx, coach.User{ID: id, Email: id + "@example.com", CreatedAt: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: dispatcherStore, Bus: bus, PollInterval: 10 * time.Millisecond,
		MaxBackoff: 50 * time.Millisecond, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	dispatched := make(chan struct{})
	go func() { defer close(dispatched); d.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-dispatched })

	var want []string
	add := func(userID string, from, to int) {
		for i := from; i < to; i++ {
			e, _ := coach.NewEvent(userID, coach.EventImportProgress, 1, map[string]int{"seq": i})
			got, err := store.Events().Append(ctx, e)
			if err != nil {
				t.Fatalf("append %d: %v", i, err)
			}
			if userID == user {
				want = append(want, got[0].ID)
			}
		}
		d.Notify()
	}
	f := &follower{t: t, bus: bus, events: store.Events(), user: user}
	f.resume()
	raw, err := bus.Subscribe(ctx, user) // every id it gets, in the order published
	if err != nil {
		t.Fatal(err)
	}
	rawDone := make(chan []string)
	go func() {
		var ids []string
		for e := range raw.Events() {
			ids = append(ids, e.ID)
		}
		rawDone <- ids
	}()
	add(user, 0, 10)
	f.readUntil(len(want))

	var thawed atomic.Bool
	srv.signal(syscall.SIGSTOP)
	watchdog := time.AfterFunc(20*time.Second, func() { thawed.Store(true); srv.signal(syscall.SIGCONT) })
	defer watchdog.Stop()
	frozen := func(what string) {
		t.Helper()
		if thawed.Load() {
			t.Fatalf("%s returned only after Redis was thawed: the frozen bus blocked it", what)
		}
	}
	killed := 0
	for round := range 5 {
		add(user, 10+4*round, 14+4*round)
		frozen(fmt.Sprintf("round %d: appends for the user being published", round))
		add(other, round, round+1)
		frozen(fmt.Sprintf("round %d: an append for another user", round))
		if _, err := store.Events().Since(ctx, user, "", storage.MaxLimit); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Events().Since(ctx, other, "", storage.MaxLimit); err != nil {
			t.Fatal(err)
		}
		frozen(fmt.Sprintf("round %d: reads", round))
	}
	if kill != nil {
		if killed = kill(); killed == 0 {
			t.Fatal("the drill found no connection of the dispatcher to kill")
		}
		add(user, 30, 34)
		frozen("appends after the dispatcher's connections were killed")
	}
	if !watchdog.Stop() {
		t.Fatal("the watchdog thawed Redis during the drill")
	}
	srv.signal(syscall.SIGCONT)

	_ = f.sub.Close()
	f.resume() // as a relay reconnecting: subscribe, replay since the last id seen
	add(user, 40, 50)
	if kill != nil { // the dispatcher catches up while its connections are killed five more times
		for range 5 {
			eventually(t, "the dispatcher has a connection to kill", func() bool { n := kill(); killed += n; return n > 0 })
		}
	}
	f.readUntil(len(want))
	if diff := cmp.Diff(want, f.got); diff != "" {
		t.Fatalf("events seen by the follower (-appended +got):\n%s", diff)
	}
	eventually(t, "the dispatcher delivered every event after the thaw", func() bool {
		left, err := store.Events().Undelivered(ctx, storage.MaxLimit)
		return err == nil && len(left) == 0
	})
	_ = raw.Close()
	ids := <-rawDone
	seen, last := map[string]bool{}, ""
	for _, id := range ids {
		if seen[id] {
			continue // published again: at least once
		}
		if id < last {
			t.Fatalf("event %s first published after %s: a relay would drop it", id, last)
		}
		seen[id], last = true, id
	}
	t.Logf("%d dispatcher connections killed; a subscriber that stayed on through the freeze received %d publications (%v)",
		killed, len(ids), raw.Err())
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
