package ws_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/transport/ws"
)

// TestLiveEventsAreTimedFromCommitAndReplayedOnesAreNot checks what the delivery objective
// reads: one relay_delivery_seconds observation per live event written, none for the events a
// resume replays (their delay is the client's absence, not the relay's).
func TestLiveEventsAreTimedFromCommitAndReplayedOnesAreNot(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, nil)
	user := coach.NewID()
	first := e.appendEvents(t, user, 0, 3, 0)
	rec := &servicetest.Metrics{}
	_, srv := e.relay(t, ws.RelayConfig{Metrics: rec})

	c := mustDialRaw(t, srv, user, first[0])
	replayed, _ := readUntilReady(t, c)
	if diff := cmp.Diff(first[1:], replayed); diff != "" {
		t.Fatalf("replayed (-want +got):\n%s", diff)
	}
	live := e.appendEvents(t, user, 3, 4, 0)
	if diff := cmp.Diff(live, readEvents(t, c, len(live))); diff != "" {
		t.Fatalf("live (-want +got):\n%s", diff)
	}
	waitUntil(t, "every live event is timed", func() bool { return rec.Observed(coach.MetricRelayDelivery) >= len(live) })
	expectNothingMore(t, c)
	if got := rec.Observed(coach.MetricRelayDelivery); got != len(live) {
		t.Errorf("relay_delivery_seconds observed %d times, want %d (the live events only)", got, len(live))
	}
}
