package ws_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/ws"
)

// TestCursorBeyondNewestEventIsRefused is issue 12 point 8: a lastEventId beyond the newest
// committed event of the user is refused with 400 before the upgrade — whether it is far in the
// future, 50 s ahead, or just one past the newest id and not ahead of the clock at all — since
// the relay would drop every live event up to it. A valid cursor still resumes without a gap, and
// a fresh connection's cursor (ready's lastEventId) is accepted when the client comes back with it.
func TestCursorBeyondNewestEventIsRefused(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Now().UTC().Truncate(time.Millisecond))
	e := newEnv(t, memory.New(memory.WithClock(clock)), nil)
	_, srv := e.relay(t, ws.RelayConfig{Clock: clock})
	user, fresh := coach.NewID(), coach.NewID()
	ids := e.appendEvents(t, user, 0, 3, 0)
	newest := ids[2]
	justAhead, err := coach.NextEventID(clock.Now(), newest)
	if err != nil {
		t.Fatal(err)
	}
	if at, _ := coach.EventIDTime(justAhead); at.After(clock.Now()) {
		t.Fatalf("test setup: %s is ahead of the clock", justAhead)
	}
	for name, last := range map[string]string{
		"OnePastTheNewestNotAheadOfTheClock": justAhead,
		"FiftySecondsAhead":                  coach.EventIDAt(clock.Now().Add(50 * time.Second)),
		"AnHourAhead":                        coach.EventIDAt(clock.Now().Add(time.Hour)),
	} {
		_, resp, err := dialRaw(t, srv, user, last, authHeader(user))
		if resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: got %v (%v), want 400", name, resp, err)
		}
	}
	// A user with no events: only a cursor ahead of the clock is refused (a fresh connection's
	// cursor is a time, ClockSkew in the past).
	if _, resp, err := dialRaw(t, srv, fresh, coach.EventIDAt(clock.Now().Add(50*time.Second)), authHeader(fresh)); resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a user without events, a cursor 50 s ahead: got %v (%v), want 400", resp, err)
	}

	// The newest id itself, and an older one, resume without a gap.
	c := mustDialRaw(t, srv, user, ids[0])
	got, cursor := readUntilReady(t, c)
	if diff := cmp.Diff(ids[1:], got); diff != "" {
		t.Errorf("replay after the first id (-want +got):\n%s", diff)
	}
	if cursor != newest {
		t.Errorf("ready cursor %s, want the newest id %s", cursor, newest)
	}
	clock.Advance(time.Millisecond)
	more := e.appendEvents(t, user, 3, 2, 0)
	if diff := cmp.Diff(more, readEvents(t, c, 2)); diff != "" {
		t.Errorf("live events after the replay (-want +got):\n%s", diff)
	}
	c.Close(websocket.StatusNormalClosure, "")

	// A fresh connection's cursor is the newest event when there is one; resuming from it works.
	c = mustDialRaw(t, srv, user, "")
	_, cursor = readUntilReady(t, c)
	c.Close(websocket.StatusNormalClosure, "")
	if cursor != more[1] {
		t.Errorf("a fresh connection's cursor %s, want the newest id %s", cursor, more[1])
	}
	clock.Advance(time.Millisecond)
	later := e.appendEvents(t, user, 5, 1, 0)
	c = mustDialRaw(t, srv, user, cursor)
	got, _ = readUntilReady(t, c)
	if diff := cmp.Diff(later, got); diff != "" {
		t.Errorf("resume from a fresh connection's cursor (-want +got):\n%s", diff)
	}
	c.Close(websocket.StatusNormalClosure, "")

	// For a user without events, the fresh cursor is a time; coming back with it is accepted.
	c = mustDialRaw(t, srv, fresh, "")
	_, cursor = readUntilReady(t, c)
	c.Close(websocket.StatusNormalClosure, "")
	clock.Advance(time.Second)
	first := e.appendEvents(t, fresh, 0, 1, 0)
	c = mustDialRaw(t, srv, fresh, cursor)
	got, _ = readUntilReady(t, c)
	if diff := cmp.Diff(first, got); diff != "" {
		t.Errorf("resume of a user who had no events (-want +got):\n%s", diff)
	}
	c.Close(websocket.StatusNormalClosure, "")
}
