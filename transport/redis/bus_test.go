package redis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/redis"
	"github.com/tradecoach/coach/transport/transporttest"
)

// waitTimeout bounds how long a test waits for something that should happen: a deadline for a
// hang, not a performance assertion.
const waitTimeout = 10 * time.Second

func TestBus(t *testing.T) {
	t.Parallel()
	transporttest.RunBus(t, func(t *testing.T) transport.Bus {
		return newBus(t, redistest.MustOpenClient(t), redis.BusConfig{})
	})
}

// newBus returns a bus on client under a fresh prefix (unless cfg has one), closed at cleanup.
func newBus(tb testing.TB, client goredis.UniversalClient, cfg redis.BusConfig) *redis.Bus {
	tb.Helper()
	if cfg.Prefix == "" {
		cfg.Prefix = redistest.RandomPrefix()
	}
	bus, err := redis.NewBus(client, cfg)
	if err != nil {
		tb.Fatalf("NewBus: %v", err)
	}
	// Registered after the client's Close, so it runs before it.
	tb.Cleanup(func() { _ = bus.Close() })
	return bus
}

// ownClient returns a client of srv, closed at cleanup.
func ownClient(tb testing.TB, srv *server) *goredis.Client {
	client := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	tb.Cleanup(func() { _ = client.Close() })
	return client
}

func subscribe(tb testing.TB, bus transport.Bus, user string) transport.Subscription {
	tb.Helper()
	s, err := bus.Subscribe(context.Background(), user)
	if err != nil {
		tb.Fatalf("Subscribe %s: %v", user, err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// userEvent returns event n of user, with n in its payload.
func userEvent(user string, n int) coach.Event {
	id, _ := coach.NextEventID(time.Now(), "")
	return coach.Event{ID: id, UserID: user, Type: coach.EventImportProgress, V: 1,
		TS: time.Now().UTC().Truncate(time.Millisecond), Payload: json.RawMessage(fmt.Sprintf(`{"seq":%d}`, n))}
}

func publish(tb testing.TB, bus transport.Bus, e coach.Event) {
	tb.Helper()
	if err := bus.Publish(context.Background(), e); err != nil {
		tb.Fatalf("Publish: %v", err)
	}
}

func receive(tb testing.TB, s transport.Subscription) coach.Event {
	tb.Helper()
	select {
	case e, ok := <-s.Events():
		if !ok {
			tb.Fatalf("feed ended: %v", s.Err())
		}
		return e
	case <-time.After(waitTimeout):
		tb.Fatal("no event")
	}
	return coach.Event{}
}

// waitEnd drains s until its feed is closed and returns Err.
func waitEnd(tb testing.TB, s transport.Subscription) error {
	tb.Helper()
	deadline := time.After(waitTimeout)
	for {
		select {
		case _, ok := <-s.Events():
			if !ok {
				return s.Err()
			}
		case <-deadline:
			tb.Fatal("subscription did not end")
		}
	}
}

// eventually polls cond until it holds, failing tb at the deadline.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not after %s", what, waitTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNewBusRefusesBadConfig(t *testing.T) {
	t.Parallel()
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	for _, tc := range []struct {
		name   string
		client goredis.UniversalClient
		cfg    redis.BusConfig
		want   coach.Code
	}{
		{"defaults", client, redis.BusConfig{}, ""},
		{"nil client", nil, redis.BusConfig{}, coach.EINVALID},
		{"glob in prefix", client, redis.BusConfig{Prefix: "a*"}, coach.EINVALID},
		{"space in prefix", client, redis.BusConfig{Prefix: "a b"}, coach.EINVALID},
		{"negative buffer", client, redis.BusConfig{Buffer: -1}, coach.EINVALID},
		{"negative health check", client, redis.BusConfig{HealthCheck: -time.Second}, coach.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bus, err := redis.NewBus(tc.client, tc.cfg)
			if code := coach.ErrorCode(err); code != tc.want {
				t.Fatalf("code %q (%v), want %q", code, err, tc.want)
			}
			if err == nil {
				if got, want := bus.Channel("u1"), redis.DefaultPrefix+"events:u1"; got != want {
					t.Errorf("Channel = %q, want %q", got, want)
				}
			}
		})
	}
}

func TestBusDeliversTheEventAsPublished(t *testing.T) {
	t.Parallel()
	bus := newBus(t, redistest.MustOpenClient(t), redis.BusConfig{})
	e := userEvent("u1", 3)
	e.Type, e.V = coach.EventCoachReflect, 2
	e.Payload = json.RawMessage(`{"text":"You sold <all> & \"more\" at 10:00 — é","n":[1,2.5,null]}`)
	s := subscribe(t, bus, "u1")
	publish(t, bus, e)
	got := receive(t, s)
	// The payload may come back re-encoded (escaped HTML characters): compare it as JSON.
	var wantPayload, gotPayload any
	_ = json.Unmarshal(e.Payload, &wantPayload)
	if err := json.Unmarshal(got.Payload, &gotPayload); err != nil {
		t.Fatalf("payload %s: %v", got.Payload, err)
	}
	if diff := cmp.Diff(wantPayload, gotPayload); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}
	e.Payload, got.Payload = nil, nil
	if diff := cmp.Diff(e, got); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
}

func TestBusPublishRefusesAnInvalidPayload(t *testing.T) {
	t.Parallel()
	bus := newBus(t, redistest.MustOpenClient(t), redis.BusConfig{})
	e := userEvent("u1", 0)
	e.Payload = json.RawMessage(`{"seq":`)
	if code := coach.ErrorCode(bus.Publish(context.Background(), e)); code != coach.EINVALID {
		t.Fatalf("code %q, want %q", code, coach.EINVALID)
	}
}

func TestBusDropsForeignMessages(t *testing.T) {
	t.Parallel()
	client := redistest.MustOpenClient(t)
	bus := newBus(t, client, redis.BusConfig{})
	s := subscribe(t, bus, "u1")
	other, _ := json.Marshal(userEvent("u2", 1))
	noID, _ := json.Marshal(coach.Event{UserID: "u1", Type: "x", V: 1})
	for _, msg := range []string{"", "not json", "null", `{"userId":"u1"`, string(other), string(noID)} {
		if err := client.Publish(context.Background(), bus.Channel("u1"), msg).Err(); err != nil {
			t.Fatal(err)
		}
	}
	publish(t, bus, userEvent("u1", 42))
	if got := receive(t, s); got.UserID != "u1" || string(got.Payload) != `{"seq":42}` {
		t.Fatalf("received %+v, want u1's event 42", got)
	}
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v, want nil: foreign messages ended the subscription", err)
	}
}

func TestBusSubscriptionsOfAUserShareOneRedisSubscription(t *testing.T) {
	t.Parallel()
	client := redistest.MustOpenClient(t)
	bus := newBus(t, client, redis.BusConfig{})
	numsub := func() int64 {
		n, err := client.PubSubNumSub(context.Background(), bus.Channel("u1")).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n[bus.Channel("u1")]
	}
	s1, s2 := subscribe(t, bus, "u1"), subscribe(t, bus, "u1")
	if n := numsub(); n != 1 {
		t.Fatalf("PUBSUB NUMSUB = %d, want 1", n)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	publish(t, bus, userEvent("u1", 1))
	if got := receive(t, s2); string(got.Payload) != `{"seq":1}` {
		t.Fatalf("s2 received %s after s1 closed", got.Payload)
	}
	if err := waitEnd(t, s1); err != nil {
		t.Fatalf("closed s1: Err = %v, want nil", err)
	}
	_ = s2.Close()
	eventually(t, "channel unsubscribed after its last subscription closed", func() bool { return numsub() == 0 })
}

func TestBusUsesOneConnectionForAllUsers(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	client := ownClient(t, srv)
	bus := newBus(t, client, redis.BusConfig{})
	var subs []transport.Subscription
	for i := range 100 {
		user := fmt.Sprintf("u%d", i)
		subs = append(subs, subscribe(t, bus, user), subscribe(t, bus, user))
	}
	list, err := client.Do(context.Background(), "CLIENT", "LIST", "TYPE", "pubsub").Text()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.FieldsFunc(list, func(r rune) bool { return r == '\n' })); n != 1 {
		t.Fatalf("%d pub/sub connections for 100 users, want 1:\n%s", n, list)
	}
	for i := range 100 {
		publish(t, bus, userEvent(fmt.Sprintf("u%d", i), i))
	}
	for i, s := range subs {
		if got, want := string(receive(t, s).Payload), fmt.Sprintf(`{"seq":%d}`, i/2); got != want {
			t.Fatalf("subscription %d received %s, want %s", i, got, want)
		}
	}
	for _, s := range subs {
		_ = s.Close()
	}
	eventually(t, "pub/sub connection closed after the last subscription", func() bool {
		list, err := client.Do(context.Background(), "CLIENT", "LIST", "TYPE", "pubsub").Text()
		return err == nil && list == ""
	})
}

func TestBusDroppedConnectionEndsEverySubscription(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	client := ownClient(t, srv)
	bus := newBus(t, client, redis.BusConfig{})
	subs := []transport.Subscription{subscribe(t, bus, "u1"), subscribe(t, bus, "u1"), subscribe(t, bus, "u2")}
	// The server stays up: go-redis alone would reconnect and resubscribe without a word,
	// losing whatever was published in between.
	killed, err := client.ClientKillByFilter(context.Background(), "TYPE", "pubsub").Result()
	if err != nil || killed != 1 {
		t.Fatalf("CLIENT KILL TYPE pubsub: %d killed, %v", killed, err)
	}
	for i, s := range subs {
		if code := coach.ErrorCode(waitEnd(t, s)); code != coach.EUNAVAILABLE {
			t.Fatalf("subscription %d: Err code %q, want %q", i, code, coach.EUNAVAILABLE)
		}
	}
	s := subscribe(t, bus, "u1")
	publish(t, bus, userEvent("u1", 5))
	if got := receive(t, s); string(got.Payload) != `{"seq":5}` {
		t.Fatalf("resubscribed: received %s", got.Payload)
	}
}

func TestBusFrozenServerIsCaughtByTheHealthCheck(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	bus := newBus(t, ownClient(t, srv), redis.BusConfig{HealthCheck: 50 * time.Millisecond})
	s := subscribe(t, bus, "u1")
	// A frozen server keeps its connections open: no read error, only silence.
	srv.signal(syscall.SIGSTOP)
	defer srv.signal(syscall.SIGCONT)
	if code := coach.ErrorCode(waitEnd(t, s)); code != coach.EUNAVAILABLE {
		t.Fatalf("Err code %q, want %q", code, coach.EUNAVAILABLE)
	}
}

func TestBusSubscribeWaitsForTheConfirmation(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	bus := newBus(t, ownClient(t, srv), redis.BusConfig{})
	// The kernel accepts the connection and the SUBSCRIBE, but nobody confirms it.
	srv.signal(syscall.SIGSTOP)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	s, err := bus.Subscribe(ctx, "u1")
	srv.signal(syscall.SIGCONT)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Subscribe to a frozen server: %v, %v; want the context's deadline", s, err)
	}
	s = subscribe(t, bus, "u1")
	publish(t, bus, userEvent("u1", 1))
	receive(t, s)
}

func TestBusSubscribeHonoursACanceledContext(t *testing.T) {
	t.Parallel()
	bus := newBus(t, redistest.MustOpenClient(t), redis.BusConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := bus.Subscribe(ctx, "u1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe: %v, want context.Canceled", err)
	}
	if err := bus.Publish(ctx, userEvent("u1", 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Publish: %v, want context.Canceled", err)
	}
}

func TestBusServerDownIsUnavailable(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	bus := newBus(t, ownClient(t, srv), redis.BusConfig{})
	srv.kill()
	if code := coach.ErrorCode(bus.Publish(context.Background(), userEvent("u1", 1))); code != coach.EUNAVAILABLE {
		t.Errorf("Publish: code %q, want %q", code, coach.EUNAVAILABLE)
	}
	if _, err := bus.Subscribe(context.Background(), "u1"); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("Subscribe: %v, want code %q", err, coach.EUNAVAILABLE)
	}
}

func TestBusCloseEndsSubscriptions(t *testing.T) {
	t.Parallel()
	bus := newBus(t, redistest.MustOpenClient(t), redis.BusConfig{})
	s := subscribe(t, bus, "u1")
	if err := bus.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bus.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if code := coach.ErrorCode(waitEnd(t, s)); code != coach.EUNAVAILABLE {
		t.Errorf("subscription: Err code %q, want %q", code, coach.EUNAVAILABLE)
	}
	if code := coach.ErrorCode(bus.Publish(context.Background(), userEvent("u1", 1))); code != coach.EUNAVAILABLE {
		t.Errorf("Publish after Close: code %q, want %q", code, coach.EUNAVAILABLE)
	}
	if _, err := bus.Subscribe(context.Background(), "u1"); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("Subscribe after Close: %v, want code %q", err, coach.EUNAVAILABLE)
	}
}

// TestBusStaysLiveThroughSubscribeChurn subscribes and closes the same few users from many
// goroutines at once, so SUBSCRIBE and UNSUBSCRIBE of one channel interleave on the shared
// connection: every subscription must still be live when Subscribe returns.
func TestBusStaysLiveThroughSubscribeChurn(t *testing.T) {
	t.Parallel()
	bus := newBus(t, redistest.MustOpenClient(t), redis.BusConfig{})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			user := fmt.Sprintf("u%d", g%3)
			for i := range 25 {
				s, err := bus.Subscribe(context.Background(), user)
				if err != nil {
					t.Errorf("Subscribe: %v", err)
					return
				}
				marker := g*1000 + i
				if err := bus.Publish(context.Background(), userEvent(user, marker)); err != nil {
					t.Errorf("Publish: %v", err)
					return
				}
				if !awaitSeq(s, marker) {
					t.Errorf("goroutine %d: event %d published after Subscribe returned never arrived (Err %v)", g, marker, s.Err())
					return
				}
				_ = s.Close()
			}
		})
	}
	wg.Wait()
}

// awaitSeq reads s until the event whose payload has seq n arrives (true) or the feed ends or
// the deadline passes (false).
func awaitSeq(s transport.Subscription, n int) bool {
	want := fmt.Sprintf(`{"seq":%d}`, n)
	deadline := time.After(waitTimeout)
	for {
		select {
		case e, ok := <-s.Events():
			if !ok {
				return false
			}
			if string(e.Payload) == want {
				return true
			}
		case <-deadline:
			return false
		}
	}
}
