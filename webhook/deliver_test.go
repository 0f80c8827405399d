package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/webhook"
)

// TestFlakyReceiverGetsEveryEventOnceInOrder: a receiver that fails its first 3 calls gets, after
// retries with backoff on the manual clock, every event exactly once after dedup by webhook-id,
// in commit order; the first delivery's failures held the others back.
func TestFlakyReceiverGetsEveryEventOnceInOrder(t *testing.T) {
	t.Parallel()
	flakyReceiver(t, newRig(t, webhook.DelivererConfig{}))
}

// TestFlakyReceiverOnPostgres is the same on the Postgres store.
func TestFlakyReceiverOnPostgres(t *testing.T) {
	t.Parallel()
	flakyReceiver(t, newRigOn(t, postgrestest.MustOpenTestDB(t), coach.NewManualClock(t0), webhook.DelivererConfig{}))
}

func flakyReceiver(t *testing.T, r *rig) {
	rc := newReceiver(t, r.clock, func(n int) int {
		if n <= 3 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	ep := r.endpoint(rc)
	r.appendEvents("import.before", 0)
	ids := r.appendEvents(coach.EventRuleBroken, 5)
	for range 20 {
		r.step()
		r.clock.Advance(time.Minute)
	}
	if got := rc.deduped(); !cmp.Equal(ids, got) {
		t.Errorf("events received (deduped by webhook-id) %v, want %v in order", got, ids)
	}
	calls, got, bad := rc.snapshot()
	if calls != 3+5 || bad != 0 || len(got) != 5 {
		t.Errorf("calls %d (want 8: 3 failures, then one each), unverified %d, accepted %d", calls, bad, len(got))
	}
	for _, d := range r.deliveries(ep.ID) {
		if d.Status != coach.DeliverySucceeded {
			t.Errorf("delivery %s: %s", d.ID, d.Status)
		}
	}
	e, err := r.svc.Endpoint(r.ctx, r.user.ID, ep.ID)
	if err != nil || !e.Enabled || e.Failures != 0 {
		t.Errorf("endpoint after recovery: %+v, %v", e, err)
	}
}

// TestRetriesBackOffExponentially: the waits between failed attempts double (jitter fixed at
// 0.5, so each is 3/4 of its bound).
func TestRetriesBackOffExponentially(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.DelivererConfig{Retry: webhook.RetryPolicy{Base: 4 * time.Second, Cap: time.Hour, For: 72 * time.Hour}})
	rc := newReceiver(t, r.clock, func(int) int { return http.StatusInternalServerError })
	ep := r.endpoint(rc)
	r.appendEvents(coach.EventRuleBroken, 1)
	var waits []time.Duration
	for range 4 {
		r.step()
		d := r.deliveries(ep.ID)[0]
		waits = append(waits, d.NextAttemptAt.Sub(*d.LastAttemptAt))
		r.clock.Set(*d.NextAttemptAt)
	}
	want := []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 24 * time.Second}
	if !cmp.Equal(want, waits) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	d := r.deliveries(ep.ID)[0]
	if d.Attempts != 4 || d.ResponseStatus != 500 || d.ResponseExcerpt != "answer to call" || !strings.Contains(d.Error, "500") {
		t.Errorf("delivery after 4 failures: %+v", d)
	}
}

// TestDeadReceiverIsDisabledAndTheUserTold: after DisableAfter failed attempts the endpoint is
// disabled and a webhook.disabled event is in the user's outbox; nothing more is sent to it.
func TestDeadReceiverIsDisabledAndTheUserTold(t *testing.T) {
	t.Parallel()
	metrics := &servicetest.Metrics{}
	r := newRig(t, webhook.DelivererConfig{DisableAfter: 4, Metrics: metrics})
	dead := newReceiver(t, r.clock, func(int) int { return http.StatusBadGateway })
	ep := r.endpoint(dead)
	r.appendEvents(coach.EventRuleBroken, 2)
	for range 30 {
		r.step()
		r.clock.Advance(time.Hour)
	}
	e, err := r.svc.Endpoint(r.ctx, r.user.ID, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Enabled || e.Failures != 4 || !strings.Contains(e.DisabledReason, "4 failed attempts") {
		t.Errorf("endpoint: enabled %v, failures %d, reason %q", e.Enabled, e.Failures, e.DisabledReason)
	}
	calls, _, _ := dead.snapshot()
	if calls != 4 {
		t.Errorf("calls %d, want 4 then none once disabled", calls)
	}
	if n, d := metrics.Counted(coach.MetricWebhookAttempts, "outcome", "http_5xx"), metrics.Counted(coach.MetricWebhooksDisabled); n != 4 || d != 1 {
		t.Errorf("webhook_attempts_total{http_5xx} = %d, webhook_endpoints_disabled_total = %d; want 4 and 1", n, d)
	}
	evs, err := r.store.Events().Since(r.ctx, r.user.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var told []coach.WebhookDisabledPayload
	for _, ev := range evs {
		if ev.Type == coach.EventWebhookDisabled {
			var p coach.WebhookDisabledPayload
			if err := json.Unmarshal(ev.Payload, &p); err != nil {
				t.Fatal(err)
			}
			told = append(told, p)
		}
	}
	if len(told) != 1 || told[0].EndpointID != ep.ID || told[0].Failures != 4 {
		t.Errorf("webhook.disabled events: %+v, want one for %s", told, ep.ID)
	}
	// Re-enabled, it gets the held-back deliveries in order.
	on := true
	dead2 := newReceiver(t, r.clock, func(int) int { return http.StatusOK })
	if _, err := r.svc.Update(r.ctx, r.user.ID, ep.ID, webhook.Input{URL: dead2.srv.URL, EventTypes: e.EventTypes, Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	r.step()
	// The two held back, then the webhook.disabled event itself (the endpoint takes every type).
	if calls, _, _ := dead2.snapshot(); calls != 3 {
		t.Errorf("after re-enabling: %d calls, want 3", calls)
	}
}

// TestGivesUpAfterTheRetryWindow: a delivery whose retries ran out is failed and the endpoint
// moves on to the next one.
func TestGivesUpAfterTheRetryWindow(t *testing.T) {
	t.Parallel()
	pol := webhook.RetryPolicy{Base: time.Second, Cap: time.Second, For: 3 * time.Second} // 4 attempts
	r := newRig(t, webhook.DelivererConfig{Retry: pol, DisableAfter: 100})
	rc := newReceiver(t, r.clock, func(n int) int {
		if n <= 4 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	ep := r.endpoint(rc)
	ids := r.appendEvents(coach.EventRuleBroken, 2)
	for range 10 {
		r.step()
		r.clock.Advance(time.Second)
	}
	ds := r.deliveries(ep.ID)
	slices.SortFunc(ds, func(a, b coach.WebhookDelivery) int { return strings.Compare(a.EventID, b.EventID) })
	if len(ds) != 2 || ds[0].Status != coach.DeliveryFailed || ds[0].Attempts != 4 || ds[1].Status != coach.DeliverySucceeded {
		t.Fatalf("deliveries: %+v", ds)
	}
	if got := rc.deduped(); !cmp.Equal([]string{ids[1]}, got) {
		t.Errorf("received %v, want only the second event", got)
	}
}

// TestReplayRedeliversWithTheSameID: a replayed delivery reaches the receiver again with the
// same webhook-id, so a receiver deduping by it sees it once.
func TestReplayRedeliversWithTheSameID(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.DelivererConfig{})
	rc := newReceiver(t, r.clock, func(int) int { return http.StatusOK })
	ep := r.endpoint(rc)
	ids := r.appendEvents(coach.EventRuleBroken, 2)
	r.step()
	ds := r.deliveries(ep.ID)
	i := slices.IndexFunc(ds, func(d coach.WebhookDelivery) bool { return d.EventID == ids[0] })
	if i < 0 {
		t.Fatalf("no delivery of %s in %+v", ids[0], ds)
	}
	first := ds[i]
	r.clock.Advance(time.Hour)
	if _, err := r.svc.Replay(r.ctx, r.user.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	r.step()
	_, got, _ := rc.snapshot()
	if len(got) != 3 || got[2].ID != first.MessageID || got[0].ID != first.MessageID || got[2].EventID != ids[0] {
		t.Errorf("received %+v, want the first again with webhook-id %s", got, first.MessageID)
	}
	if d := rc.deduped(); !cmp.Equal(ids, d) {
		t.Errorf("deduped %v, want %v", d, ids)
	}
	_, err := r.svc.Replay(r.ctx, coach.NewID(), first.ID)
	if coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("replay by another user: %v, want not_found", err)
	}
}

// TestSubscriptionsAndTestEvents: an endpoint gets only the types it subscribed to, not the
// user's events from before it was created, and a test event on request.
func TestSubscriptionsAndTestEvents(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.DelivererConfig{})
	r.appendEvents(coach.EventRuleBroken, 2) // before the endpoint: not delivered
	rc := newReceiver(t, r.clock, func(int) int { return http.StatusOK })
	ep := r.endpoint(rc, coach.EventDigestReady)
	r.appendEvents(coach.EventRuleBroken, 2)
	want := r.appendEvents(coach.EventDigestReady, 1)
	r.step()
	test, err := r.svc.SendTest(r.ctx, r.user.ID, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.step()
	_, got, _ := rc.snapshot()
	if len(got) != 2 || got[0].EventID != want[0] || got[1].Type != coach.EventWebhookTest || got[1].ID != test.MessageID {
		t.Errorf("received %+v, want the digest.ready then the test event", got)
	}
}

// TestRotationSignsWithBothSecretsDuringTheOverlap: after Rotate, a receiver still holding the
// old secret and one holding the new both verify, until the overlap ends.
func TestRotationSignsWithBothSecretsDuringTheOverlap(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.DelivererConfig{})
	old := newReceiver(t, r.clock, func(int) int { return http.StatusOK })
	ep, oldSecret, err := r.svc.Create(r.ctx, r.user.ID, webhook.Input{URL: old.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	old.verifyWith(t, r.clock, oldSecret)
	_, newSecret, err := r.svc.Rotate(r.ctx, r.user.ID, ep.ID)
	if err != nil || newSecret == oldSecret || !strings.HasPrefix(newSecret, "whsec_") {
		t.Fatalf("Rotate: %v (new secret differs: %v)", err, newSecret != oldSecret)
	}
	r.appendEvents(coach.EventRuleBroken, 1)
	r.step()
	if _, got, bad := old.snapshot(); len(got) != 1 || bad != 0 {
		t.Errorf("old-secret receiver during the overlap: %d verified, %d refused", len(got), bad)
	}
	old.verifyWith(t, r.clock, newSecret)
	r.appendEvents(coach.EventRuleBroken, 1)
	r.step()
	if _, got, bad := old.snapshot(); len(got) != 2 || bad != 0 {
		t.Errorf("new-secret receiver: %d verified, %d refused", len(got), bad)
	}
	r.clock.Advance(webhook.DefaultRotationOverlap + time.Second)
	old.verifyWith(t, r.clock, oldSecret)
	r.appendEvents(coach.EventRuleBroken, 1)
	r.step()
	if _, _, bad := old.snapshot(); bad == 0 {
		t.Errorf("the old secret still verifies after the overlap")
	}
	// The secret is never returned again.
	e, err := r.svc.Endpoint(r.ctx, r.user.ID, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(e)
	if strings.Contains(string(b), newSecret[6:16]) || strings.Contains(string(b), "secret") {
		t.Errorf("endpoint JSON shows a secret: %s", b)
	}
	if strings.Contains(string(e.SecretEnc), newSecret[6:]) {
		t.Errorf("the secret is stored in clear")
	}
}

// TestSlowEndpointDoesNotHoldBackOthers: while one endpoint's receiver hangs, Run keeps
// delivering to another endpoint of the same user; once released, the slow one gets its events
// in order.
func TestSlowEndpointDoesNotHoldBackOthers(t *testing.T) {
	t.Parallel()
	r := newRig(t, webhook.DelivererConfig{Concurrency: 2, PollInterval: 10 * time.Millisecond})
	release := make(chan struct{})
	slow := newReceiver(t, r.clock, func(int) int { <-release; return http.StatusOK })
	fast := newReceiver(t, r.clock, func(int) int { return http.StatusOK })
	r.endpoint(slow)
	r.endpoint(fast)
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { done <- r.del.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	var ids []string
	for range 5 {
		ids = append(ids, r.appendEvents(coach.EventRuleBroken, 1)...)
		r.del.NotifyUser(r.user.ID)
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(fast.deduped()) < 5 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := fast.deduped(); !cmp.Equal(ids, got) {
		t.Fatalf("fast endpoint got %v while the slow one hangs, want %v", got, ids)
	}
	// The slow receiver's first call may begin after the fast one is done: wait for it, then
	// check it is the only one.
	calls, _, _ := slow.snapshot()
	for ; calls < 1 && time.Now().Before(deadline); calls, _, _ = slow.snapshot() {
		time.Sleep(5 * time.Millisecond)
	}
	if calls != 1 {
		t.Errorf("slow endpoint: %d calls in flight, want 1 (in order, one at a time)", calls)
	}
	close(release)
	for len(slow.deduped()) < 5 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := slow.deduped(); !cmp.Equal(ids, got) {
		t.Errorf("slow endpoint got %v, want %v in order", got, ids)
	}
}

// TestLeasesGiveAnEndpointToOneDeliverer: while another Deliverer holds an endpoint's lease,
// this one sends nothing to it; once released, it delivers.
func TestLeasesGiveAnEndpointToOneDeliverer(t *testing.T) {
	t.Parallel()
	leases := memory.NewLeases(coach.SystemClock{})
	r := newRig(t, webhook.DelivererConfig{Leases: leases})
	rc := newReceiver(t, r.clock, func(int) int { return http.StatusOK })
	ep := r.endpoint(rc)
	ids := r.appendEvents(coach.EventRuleBroken, 2)
	key := "webhook:endpoint:" + ep.ID
	if ok, err := leases.Acquire(r.ctx, key, "another-deliverer", time.Minute); err != nil || !ok {
		t.Fatalf("Acquire: %v %v", ok, err)
	}
	r.step()
	if calls, _, _ := rc.snapshot(); calls != 0 {
		t.Fatalf("%d calls while another Deliverer holds the endpoint", calls)
	}
	if err := leases.Release(r.ctx, key, "another-deliverer"); err != nil {
		t.Fatal(err)
	}
	r.step()
	if got := rc.deduped(); !cmp.Equal(ids, got) {
		t.Errorf("after the release: %v, want %v", got, ids)
	}
	if held, err := leases.Held(r.ctx, key); err != nil || held {
		t.Errorf("the lease is still held after sending: %v %v", held, err)
	}
}
