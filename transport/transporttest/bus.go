// Package transporttest holds the conformance suites of the transport ports: every event bus and
// job queue adapter runs the same suite.
package transporttest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// waitTimeout bounds how long a suite waits for something that should happen; it is a deadline
// for a hang, not a performance assertion.
const waitTimeout = 10 * time.Second

// RunBus checks the transport.Bus contract against the buses newBus makes. Each subtest gets its
// own bus and random user ids, so adapters sharing a server may run subtests in parallel.
func RunBus(t *testing.T, newBus func(t *testing.T) transport.Bus) {
	t.Run("ContextEndedIsCanceled", func(t *testing.T) {
		t.Parallel()
		busContextEnded(t, newBus(t))
	})

	t.Run("DeliversInOrderToItsUserOnly", func(t *testing.T) {
		t.Parallel()
		bus := newBus(t)
		alice, bob := randomUser(), randomUser()
		sa := mustSubscribe(t, bus, alice)
		sb := mustSubscribe(t, bus, bob)
		for i := range 50 {
			mustPublish(t, bus, event(alice, i))
		}
		mustPublish(t, bus, event(bob, 0))
		for i := range 50 {
			e := receive(t, sa)
			if got := seq(t, e); got != i || e.UserID != alice {
				t.Fatalf("alice's event %d: got seq %d of user %s", i, got, e.UserID)
			}
		}
		if e := receive(t, sb); e.UserID != bob {
			t.Fatalf("bob received an event of %s", e.UserID)
		}
		select {
		case e := <-sb.Events():
			t.Fatalf("bob received a second event: %+v", e)
		case <-time.After(50 * time.Millisecond):
		}
	})

	t.Run("EverySubscriberOfAUserReceives", func(t *testing.T) {
		t.Parallel()
		bus := newBus(t)
		user := randomUser()
		s1, s2 := mustSubscribe(t, bus, user), mustSubscribe(t, bus, user)
		mustPublish(t, bus, event(user, 7))
		for _, s := range []transport.Subscription{s1, s2} {
			if got := seq(t, receive(t, s)); got != 7 {
				t.Fatalf("got seq %d, want 7", got)
			}
		}
	})

	t.Run("PublishWithoutSubscribersSucceeds", func(t *testing.T) {
		t.Parallel()
		mustPublish(t, newBus(t), event(randomUser(), 1))
	})

	t.Run("CloseEndsTheFeed", func(t *testing.T) {
		t.Parallel()
		bus := newBus(t)
		user := randomUser()
		s := mustSubscribe(t, bus, user)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		mustPublish(t, bus, event(user, 1))
		deadline := time.After(waitTimeout)
		for {
			select {
			case _, ok := <-s.Events():
				if !ok {
					if err := s.Err(); err != nil {
						t.Fatalf("Err after Close = %v, want nil", err)
					}
					return
				}
			case <-deadline:
				t.Fatal("Events not closed after Close")
			}
		}
	})

	t.Run("SlowSubscriberIsEndedWithAnError", func(t *testing.T) {
		t.Parallel()
		bus := newBus(t)
		user := randomUser()
		s := mustSubscribe(t, bus, user)
		const n = 50_000
		for i := range n {
			mustPublish(t, bus, event(user, i))
		}
		received, deadline := 0, time.After(waitTimeout)
		for {
			select {
			case _, ok := <-s.Events():
				if !ok {
					if received >= n {
						t.Fatalf("received all %d events; the subscriber was never too slow", n)
					}
					if code := coach.ErrorCode(s.Err()); code != coach.EUNAVAILABLE {
						t.Fatalf("Err code = %q, want %q", code, coach.EUNAVAILABLE)
					}
					return
				}
				received++
			case <-deadline:
				t.Fatalf("subscription not ended after %d of %d events", received, n)
			}
		}
	})

	t.Run("PublishBatchDeliversInOrder", func(t *testing.T) {
		t.Parallel()
		bus := newBus(t)
		bp, ok := bus.(transport.BatchPublisher)
		if !ok {
			t.Skip("the bus is no transport.BatchPublisher")
		}
		const users, n = 3, 1500 // beyond a pipeline of a thousand, within a subscription's buffer
		var ids [users]string
		var subs [users]transport.Subscription
		for u := range users {
			ids[u] = randomUser()
			subs[u] = mustSubscribe(t, bus, ids[u])
		}
		events := make([]coach.Event, n)
		for i := range events {
			events[i] = event(ids[i%users], i)
		}
		if err := bp.PublishBatch(context.Background(), events); err != nil {
			t.Fatalf("PublishBatch: %v", err)
		}
		for u, s := range subs {
			for i := u; i < n; i += users {
				if e := receive(t, s); seq(t, e) != i || e.UserID != ids[u] {
					t.Fatalf("user %d: got seq %d of %s, want %d", u, seq(t, e), e.UserID, i)
				}
			}
		}
		if err := bp.PublishBatch(context.Background(), nil); err != nil {
			t.Errorf("PublishBatch of nothing: %v", err)
		}
		runContextEnded(t, "PublishBatch", func(ctx context.Context) error { return bp.PublishBatch(ctx, events[:1]) })
	})
}

func randomUser() string { return fmt.Sprintf("u%016x", rand.Uint64()) }

func event(userID string, n int) coach.Event {
	id, _ := coach.NextEventID(time.Now(), "")
	return coach.Event{ID: id, UserID: userID, Type: coach.EventImportProgress, V: 1, TS: time.Now().UTC(),
		Payload: json.RawMessage(fmt.Sprintf(`{"seq":%d}`, n))}
}

func seq(t *testing.T, e coach.Event) int {
	t.Helper()
	var p struct{ Seq int }
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		t.Fatalf("payload %s: %v", e.Payload, err)
	}
	return p.Seq
}

func mustSubscribe(t *testing.T, bus transport.Bus, user string) transport.Subscription {
	t.Helper()
	s, err := bus.Subscribe(context.Background(), user)
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func mustPublish(t *testing.T, bus transport.Bus, e coach.Event) {
	t.Helper()
	if err := bus.Publish(context.Background(), e); err != nil {
		t.Fatalf("Publish: %v", err)
	}
}

func receive(t *testing.T, s transport.Subscription) coach.Event {
	t.Helper()
	select {
	case e, ok := <-s.Events():
		if !ok {
			t.Fatalf("feed ended: %v", s.Err())
		}
		return e
	case <-time.After(waitTimeout):
		t.Fatal("no event")
	}
	return coach.Event{}
}
