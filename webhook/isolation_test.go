package webhook_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/webhook"
)

// TestBlockedEndpointHoldsNoSharedSlot: with a single shared slot, an endpoint whose receiver
// never answers takes that slot first; every other endpoint (of other users) still gets all its
// events, in order, while the blocked request is still in flight — the blocked one received
// exactly one request and answered none. Not timed: the deadline only bounds a hang.
func TestBlockedEndpointHoldsNoSharedSlot(t *testing.T) {
	t.Parallel()
	// A timeout longer than the test: the blocked request never ends on its own.
	client, err := webhook.NewClient(webhook.ClientConfig{AllowLoopback: true, Timeout: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, webhook.DelivererConfig{Client: client, Concurrency: 1, SlowConcurrency: 1, SlowAfter: 50 * time.Millisecond,
		PollInterval: 10 * time.Millisecond})
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	blocked := newReceiver(t, r.clock, func(int) int {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
		return http.StatusOK
	})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	r.endpoint(blocked)

	// Four other users, one endpoint each.
	others := make([]*rig, 4)
	rcs := make([]*receiver, len(others))
	for i := range others {
		others[i] = r.otherUser()
		rcs[i] = newReceiver(t, r.clock, func(int) int { return http.StatusOK })
		others[i].endpoint(rcs[i])
	}

	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { done <- r.del.Run(ctx) }()
	defer func() {
		cancel()
		unblock()
		<-done
	}()

	// The blocked endpoint gets its first event and takes the only shared slot.
	blockedIDs := r.appendEvents(coach.EventRuleBroken, 3)
	r.del.NotifyUser(r.user.ID)
	select {
	case <-entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the blocked receiver was never called")
	}

	want := make([][]string, len(others))
	for range 5 {
		for i, o := range others {
			want[i] = append(want[i], o.appendEvents(coach.EventRuleBroken, 1)...)
			r.del.NotifyUser(o.user.ID)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for i, rc := range rcs {
		for len(rc.deduped()) < len(want[i]) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := rc.deduped(); !cmp.Equal(want[i], got) {
			t.Errorf("endpoint %d got %v while another endpoint is blocked, want %v", i, got, want[i])
		}
	}
	calls, got, _ := blocked.snapshot()
	if calls != 1 || len(got) != 0 {
		t.Errorf("blocked endpoint: %d calls, %d answered; want its first request still in flight and nothing else sent", calls, len(got))
	}

	// Released, it gets its events in order.
	unblock()
	for len(blocked.deduped()) < len(blockedIDs) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := blocked.deduped(); !slices.Equal(blockedIDs, got) {
		t.Errorf("blocked endpoint after release got %v, want %v in order", got, blockedIDs)
	}
}
