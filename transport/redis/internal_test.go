package redis

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
)

// offlineLink returns a link of a bus whose client never connects, to drive its bookkeeping by
// hand: no goroutines, no connection.
func offlineLink(t *testing.T) *link {
	t.Helper()
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = client.Close() })
	b, err := NewBus(client, BusConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return &link{bus: b, topics: map[string]*topic{}, expect: map[string]int{}, dead: make(chan struct{})}
}

func isLive(t *topic) bool {
	select {
	case <-t.ready:
		return true
	default:
		return false
	}
}

// TestLinkConfirmations drives the subscribe-confirmation bookkeeping through the sequences the
// shared connection meets: a topic is live only once Redis confirmed its own SUBSCRIBE, and a
// confirmation nobody asked for (go-redis resubscribing after a silent reconnect) is reported.
func TestLinkConfirmations(t *testing.T) {
	t.Parallel()
	const a, b = "p:events:a", "p:events:b"

	t.Run("ConfirmedSubscribeIsLive", func(t *testing.T) {
		l := offlineLink(t)
		ta, write := l.joinLocked(a, &subscription{})
		if !write || isLive(ta) {
			t.Fatalf("first join: write %v, live %v; want a SUBSCRIBE and not live", write, isLive(ta))
		}
		if _, write := l.joinLocked(a, &subscription{}); write {
			t.Fatal("second join of a subscribed channel asked for another SUBSCRIBE")
		}
		if !l.confirm(a) || !isLive(ta) {
			t.Fatal("confirmed topic not live")
		}
	})

	t.Run("UnaskedConfirmationIsReported", func(t *testing.T) {
		l := offlineLink(t)
		l.joinLocked(a, &subscription{})
		l.confirm(a)
		if l.confirm(a) {
			t.Error("a second confirmation of a live channel was accepted")
		}
		if l.confirm(b) {
			t.Error("a confirmation of a channel never subscribed was accepted")
		}
	})

	t.Run("ResubscribeWaitsForItsOwnConfirmation", func(t *testing.T) {
		// SUBSCRIBE a, UNSUBSCRIBE a, SUBSCRIBE a: the first confirmation belongs to the first
		// SUBSCRIBE, which Redis has already undone; only the second makes the new topic live.
		l := offlineLink(t)
		first := &subscription{}
		l.joinLocked(a, first)
		if ch, last := l.dropLocked(first); ch != "" || !last {
			t.Fatalf("dropping the only subscription: unsubscribe %q, last %v; want last", ch, last)
		}
		l.joinLocked(b, &subscription{}) // keeps the link busy
		l.confirm(b)
		second := &subscription{}
		l.joinLocked(a, second)
		third := &subscription{}
		ta, _ := l.joinLocked(a, third)
		if !l.confirm(a) || isLive(ta) {
			t.Fatal("topic live on the confirmation of an earlier SUBSCRIBE")
		}
		if !l.confirm(a) || !isLive(ta) {
			t.Fatal("topic not live on its own confirmation")
		}
		if ch, _ := l.dropLocked(second); ch != "" {
			t.Fatalf("dropping one of two subscriptions unsubscribed %q", ch)
		}
		if ch, last := l.dropLocked(third); ch != a || last {
			t.Fatalf("dropping the last subscription of a: unsubscribe %q, last %v", ch, last)
		}
	})
}

func TestEventEncodingRoundTrips(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 9, 30, 0, 123_000_000, time.UTC)
	for _, e := range []coach.Event{
		{ID: "01J0000000000000000000000A", UserID: "u1", Type: coach.EventImportProgress, V: 1, TS: at, Payload: json.RawMessage(`{"seq":1}`)},
		{ID: "01J0000000000000000000000B", UserID: "c9x", Type: coach.EventDigestReady, V: 3, TS: at, Payload: json.RawMessage(`{}`), DeliveredAt: &at},
	} {
		b, err := encodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeEvent(string(b), e.UserID)
		if err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		if diff := cmp.Diff(e, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
}

// FuzzDecodeEvent feeds arbitrary channel messages to the decoder: it never panics, accepts only
// events of the channel's user with an id, and what it accepts survives re-encoding.
func FuzzDecodeEvent(f *testing.F) {
	for _, seed := range []string{
		`{"id":"01J0000000000000000000000A","userId":"u1","type":"coach.reflect","v":1,"ts":"2026-03-01T09:30:00Z","payload":{"text":"hi"},"deliveredAt":null}`,
		`{"id":"x","userId":"u1"}`,
		`{"id":"x","userId":"u2"}`,
		`{"userId":"u1"}`,
		`{"id":"x","userId":"u1","ts":"not a time"}`,
		`{"id":"x","userId":"u1","v":70000}`,
		`{"id":"x","userId":"u1","payload":[1,2]}`,
		`null`, `[]`, `"u1"`, ``, `{`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		e, err := decodeEvent(msg, "u1")
		if err != nil {
			if code := coach.ErrorCode(err); code != coach.EINVALID {
				t.Fatalf("error code %q, want %q", code, coach.EINVALID)
			}
			return
		}
		if e.UserID != "u1" || e.ID == "" {
			t.Fatalf("accepted an event of user %q with id %q", e.UserID, e.ID)
		}
		b, err := encodeEvent(e)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", e, err)
		}
		again, err := decodeEvent(string(b), "u1")
		if err != nil {
			t.Fatalf("decode of re-encoded %s: %v", b, err)
		}
		if diff := cmp.Diff(e, again, cmp.Comparer(jsonEqual)); diff != "" {
			t.Fatalf("re-encoding changed the event (-first +second):\n%s", diff)
		}
	})
}

// jsonEqual compares JSON documents by value, not by their bytes; an absent document is null.
func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 {
		a = json.RawMessage("null")
	}
	if len(b) == 0 {
		b = json.RawMessage("null")
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	return cmp.Equal(x, y)
}
