package redis_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/redis"
)

// TestBusRedisRestartIsRecoveredThroughReplay is the restart drill of issue 6: Redis is killed
// during a run and comes back on the same port. The subscription ends with EUNAVAILABLE, the
// outbox keeps what was appended meanwhile, and a subscriber that resubscribes, replays since its
// last seen id and dedupes ends with every event exactly once, in order.
func TestBusRedisRestartIsRecoveredThroughReplay(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	client := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = client.Close() })
	bus := newBus(t, client, redis.BusConfig{Prefix: redistest.RandomPrefix()})

	store := memory.New()
	user := coach.NewID()
	if err := store.Users().Create(context.Background(), coach.User{ID: user, Email: user + "@example.com", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	d, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, PollInterval: 20 * time.Millisecond,
		MaxBackoff: 100 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	dispatched := make(chan error, 1)
	go func() { dispatched <- d.Run(ctx) }()
	t.Cleanup(func() { stop(); <-dispatched })

	var want []string
	appendEvents := func(from, to int) {
		for i := from; i < to; i++ {
			e, _ := coach.NewEvent(user, coach.EventImportProgress, 1, map[string]int{"seq": i})
			got, err := store.Events().Append(context.Background(), e)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, got[0].ID)
		}
		d.Notify()
	}

	f := &follower{t: t, bus: bus, events: store.Events(), user: user}
	f.resume()
	appendEvents(0, 10)
	f.readUntil(len(want))

	srv.kill()
	if code := coach.ErrorCode(waitEnd(t, f.sub)); code != coach.EUNAVAILABLE {
		t.Fatalf("subscription after the kill: Err code %q (%v), want %q", code, f.sub.Err(), coach.EUNAVAILABLE)
	}
	appendEvents(10, 30) // while Redis is down: the dispatcher fails and retries

	srv.start()
	f.resume()
	appendEvents(30, 40)
	f.readUntil(len(want))

	if diff := cmp.Diff(want, f.got); diff != "" {
		t.Fatalf("events seen by the subscriber (-want +got):\n%s", diff)
	}
	eventually(t, "dispatcher delivered every event after the restart", func() bool {
		left, err := store.Events().Undelivered(context.Background(), storage.MaxLimit)
		return err == nil && len(left) == 0
	})
}

// follower is a client of the event stream as the WebSocket relay is one: it subscribes, then
// replays from storage since the last event it saw, then reads live events, keeping each event
// id once (ids increase per user, so anything at or before the last one seen is a duplicate).
type follower struct {
	t      *testing.T
	bus    transport.Bus
	events storage.Events
	user   string

	sub  transport.Subscription
	got  []string
	last string
}

// resume subscribes (retrying while Redis comes back) and replays what the follower missed.
func (f *follower) resume() {
	f.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		sub, err := f.bus.Subscribe(context.Background(), f.user)
		if err == nil {
			f.sub = sub
			f.t.Cleanup(func() { _ = sub.Close() })
			break
		}
		if coach.ErrorCode(err) != coach.EUNAVAILABLE || time.Now().After(deadline) {
			f.t.Fatalf("resubscribe: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err := outbox.Replay(context.Background(), f.events, f.user, f.last, 7, func(e coach.Event) error {
		f.see(e)
		return nil
	})
	if err != nil {
		f.t.Fatalf("replay since %q: %v", f.last, err)
	}
}

// readUntil reads live events until the follower has seen n events.
func (f *follower) readUntil(n int) {
	f.t.Helper()
	deadline := time.After(waitTimeout)
	for len(f.got) < n {
		select {
		case e, ok := <-f.sub.Events():
			if !ok {
				f.t.Fatalf("subscription ended after %d of %d events: %v", len(f.got), n, f.sub.Err())
			}
			f.see(e)
		case <-deadline:
			f.t.Fatalf("saw %d of %d events", len(f.got), n)
		}
	}
}

// see keeps e unless it was seen already.
func (f *follower) see(e coach.Event) {
	if e.ID <= f.last {
		return
	}
	f.got = append(f.got, e.ID)
	f.last = e.ID
}
