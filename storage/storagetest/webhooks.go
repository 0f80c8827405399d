package storagetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// endpoint returns a valid enabled endpoint of userID, not yet stored.
func endpoint(userID string) coach.WebhookEndpoint {
	return coach.WebhookEndpoint{ID: coach.NewID(), UserID: userID, URL: "https://hooks.example.com/coach",
		EventTypes: []string{coach.EventRuleBroken}, Enabled: true, SecretEnc: []byte("sealed secret"),
		CreatedAt: base, UpdatedAt: base}
}

// delivery returns a pending delivery of event n to the endpoint, not yet stored.
func delivery(e coach.WebhookEndpoint, n int) coach.WebhookDelivery {
	next := base
	eid := fmt.Sprintf("01J0000000000000000000%04d", n)
	return coach.WebhookDelivery{ID: coach.NewID(), UserID: e.UserID, EndpointID: e.ID, MessageID: eid, EventID: eid,
		EventType: coach.EventRuleBroken, Body: json.RawMessage(fmt.Sprintf(`{"type":"rule.broken","n":%d}`, n)),
		Status: coach.DeliveryPending, NextAttemptAt: &next, CreatedAt: base.Add(time.Duration(n) * time.Second)}
}

func (f *fixture) endpoint(userID string) coach.WebhookEndpoint {
	f.t.Helper()
	e, err := f.s.Webhooks().CreateEndpoint(f.ctx, endpoint(userID))
	must(f.t, err, "CreateEndpoint")
	return e
}

func runWebhooks(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("EndpointRoundTripsAndUpdates", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		want := endpoint(u.ID)
		want.Cursor = "01J00000000000000000000000"
		got, err := f.s.Webhooks().CreateEndpoint(f.ctx, want)
		must(t, err, "CreateEndpoint")
		diff(t, "created", want, got)
		read, err := f.s.Webhooks().Endpoint(f.ctx, u.ID, want.ID)
		must(t, err, "Endpoint")
		diff(t, "read", want, read)

		until := base.Add(24 * time.Hour)
		upd := read
		upd.URL, upd.EventTypes, upd.Enabled = "https://other.example.com/x", []string{}, false
		upd.PrevSecretEnc, upd.PrevUntil, upd.SecretEnc = upd.SecretEnc, &until, []byte("new sealed")
		upd.DisabledReason, upd.Failures, upd.UpdatedAt = "paused", 2, base.Add(time.Hour)
		upd.Cursor = "ignored"
		got, err = f.s.Webhooks().UpdateEndpoint(f.ctx, upd)
		must(t, err, "UpdateEndpoint")
		upd.Cursor = want.Cursor
		diff(t, "updated", upd, got)
		_, err = f.s.Webhooks().CreateEndpoint(f.ctx, want)
		wantCode(t, err, coach.ECONFLICT, "CreateEndpoint of a taken id")
		bad := endpoint(u.ID)
		bad.SecretEnc = nil
		_, err = f.s.Webhooks().CreateEndpoint(f.ctx, bad)
		wantCode(t, err, coach.EINVALID, "CreateEndpoint without a secret")
		_, err = f.s.Webhooks().CreateEndpoint(f.ctx, endpoint(coach.NewID()))
		wantCode(t, err, coach.ENOTFOUND, "CreateEndpoint of an unknown user")
	})

	t.Run("TenancyOfEndpointsAndDeliveries", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		e := f.endpoint(u.ID)
		d := delivery(e, 1)
		must(t, f.s.Webhooks().Enqueue(f.ctx, u.ID, e.ID, []coach.WebhookDelivery{d}, nil), "Enqueue")
		_, err := f.s.Webhooks().Endpoint(f.ctx, other.ID, e.ID)
		wantCode(t, err, coach.ENOTFOUND, "Endpoint of another user")
		_, err = f.s.Webhooks().Delivery(f.ctx, other.ID, d.ID)
		wantCode(t, err, coach.ENOTFOUND, "Delivery of another user")
		_, err = f.s.Webhooks().Replay(f.ctx, other.ID, d.ID, base)
		wantCode(t, err, coach.ENOTFOUND, "Replay of another user's delivery")
		o := endpoint(other.ID)
		o.ID = e.ID
		_, err = f.s.Webhooks().UpdateEndpoint(f.ctx, o)
		wantCode(t, err, coach.ENOTFOUND, "UpdateEndpoint of another user's endpoint")
		wantCode(t, f.s.Webhooks().DeleteEndpoint(f.ctx, other.ID, e.ID), coach.ENOTFOUND, "DeleteEndpoint of another user's")
		err = f.s.Webhooks().Enqueue(f.ctx, other.ID, e.ID, nil, nil)
		wantCode(t, err, coach.ENOTFOUND, "Enqueue to another user's endpoint")
		list, err := f.s.Webhooks().Endpoints(f.ctx, other.ID)
		must(t, err, "Endpoints")
		if len(list) != 0 {
			t.Errorf("other user lists %d endpoints", len(list))
		}
		ds, err := f.s.Webhooks().Deliveries(f.ctx, other.ID, "", "", 0)
		must(t, err, "Deliveries")
		if len(ds) != 0 {
			t.Errorf("other user lists %d deliveries", len(ds))
		}
	})

	t.Run("EnqueueMovesTheCursorOnceAndKeepsOrder", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		e := f.endpoint(u.ID)
		d1, d2, d3 := delivery(e, 3), delivery(e, 1), delivery(e, 2)
		must(t, f.s.Webhooks().Enqueue(f.ctx, u.ID, e.ID, []coach.WebhookDelivery{d1, d2}, &storage.CursorMove{From: "", To: "c1"}), "Enqueue")
		err := f.s.Webhooks().Enqueue(f.ctx, u.ID, e.ID, []coach.WebhookDelivery{d3}, &storage.CursorMove{From: "", To: "c2"})
		wantCode(t, err, coach.ECONFLICT, "Enqueue from a cursor that moved")
		again := delivery(e, 9)
		again.MessageID = d1.MessageID
		must(t, f.s.Webhooks().Enqueue(f.ctx, u.ID, e.ID, []coach.WebhookDelivery{again, d3}, &storage.CursorMove{From: "c1", To: "c2"}), "Enqueue again")
		got, err := f.s.Webhooks().Endpoint(f.ctx, u.ID, e.ID)
		must(t, err, "Endpoint")
		if got.Cursor != "c2" {
			t.Errorf("cursor %q, want c2", got.Cursor)
		}
		p, err := f.s.Webhooks().Pending(f.ctx, u.ID, e.ID, 0)
		must(t, err, "Pending")
		diff(t, "pending in enqueue order, the repeated message skipped", []coach.WebhookDelivery{d1, d2, d3}, p)
	})

	t.Run("AttemptsRetriesSuccessAndReplay", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		e := f.endpoint(u.ID)
		d := delivery(e, 1)
		must(t, f.s.Webhooks().Enqueue(f.ctx, u.ID, e.ID, []coach.WebhookDelivery{d}, nil), "Enqueue")
		due, err := f.s.Webhooks().Due(f.ctx, base, 0)
		must(t, err, "Due")
		diff(t, "due", []storage.DueEndpoint{{UserID: u.ID, EndpointID: e.ID}}, due)

		later := base.Add(time.Minute)
		got, ep, err := f.s.Webhooks().RecordAttempt(f.ctx, u.ID, d.ID, storage.WebhookAttempt{At: base, Status: coach.DeliveryPending,
			NextAttemptAt: &later, ResponseStatus: 503, ResponseExcerpt: "busy", Error: "receiver answered 503"})
		must(t, err, "RecordAttempt (failed)")
		if ep.Failures != 1 || got.Attempts != 1 || got.Status != coach.DeliveryPending || !got.NextAttemptAt.Equal(later) || got.ResponseExcerpt != "busy" {
			t.Errorf("after a failure: delivery %+v, endpoint failures %d", got, ep.Failures)
		}
		due, err = f.s.Webhooks().Due(f.ctx, base, 0)
		must(t, err, "Due")
		if len(due) != 0 {
			t.Errorf("due before its next attempt: %v", due)
		}
		got, ep, err = f.s.Webhooks().RecordAttempt(f.ctx, u.ID, d.ID, storage.WebhookAttempt{At: later, Status: coach.DeliverySucceeded, ResponseStatus: 204})
		must(t, err, "RecordAttempt (succeeded)")
		if ep.Failures != 0 || got.Attempts != 2 || got.Status != coach.DeliverySucceeded || got.DeliveredAt == nil || got.NextAttemptAt != nil {
			t.Errorf("after a success: delivery %+v, endpoint failures %d", got, ep.Failures)
		}
		_, _, err = f.s.Webhooks().RecordAttempt(f.ctx, u.ID, d.ID, storage.WebhookAttempt{At: later, Status: coach.DeliveryPending})
		wantCode(t, err, coach.EINVALID, "pending attempt without a next attempt")

		replayAt := later.Add(time.Hour)
		r, err := f.s.Webhooks().Replay(f.ctx, u.ID, d.ID, replayAt)
		must(t, err, "Replay")
		if r.MessageID != d.MessageID || r.Status != coach.DeliveryPending || r.Attempts != 0 || !r.NextAttemptAt.Equal(replayAt) || string(r.Body) != string(d.Body) {
			t.Errorf("replayed: %+v", r)
		}
		p, err := f.s.Webhooks().Pending(f.ctx, u.ID, e.ID, 0)
		must(t, err, "Pending")
		if len(p) != 1 || p[0].ID != d.ID {
			t.Errorf("pending after replay: %+v", p)
		}
		// A disabled endpoint is not due.
		e.Enabled, e.UpdatedAt = false, later
		e.Failures = 0
		_, err = f.s.Webhooks().UpdateEndpoint(f.ctx, e)
		must(t, err, "UpdateEndpoint (disable)")
		due, err = f.s.Webhooks().Due(f.ctx, replayAt, 0)
		must(t, err, "Due")
		if len(due) != 0 {
			t.Errorf("a disabled endpoint is due: %v", due)
		}
		act, err := f.s.Webhooks().Active(f.ctx, "", 0)
		must(t, err, "Active")
		for _, a := range act {
			if a.ID == e.ID {
				t.Errorf("a disabled endpoint is active")
			}
		}
	})

	t.Run("DeliveriesPageNewestFirstAndGoWithTheEndpoint", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		e1, e2 := f.endpoint(u.ID), f.endpoint(u.ID)
		var all []coach.WebhookDelivery
		for i := range 5 {
			d := delivery(e1, i)
			if i%2 == 1 {
				d = delivery(e2, i)
			}
			must(t, f.s.Webhooks().Enqueue(f.ctx, u.ID, d.EndpointID, []coach.WebhookDelivery{d}, nil), "Enqueue")
			all = append([]coach.WebhookDelivery{d}, all...)
		}
		page, err := f.s.Webhooks().Deliveries(f.ctx, u.ID, "", "", 2)
		must(t, err, "Deliveries")
		diff(t, "first page", all[:2], page)
		page, err = f.s.Webhooks().Deliveries(f.ctx, u.ID, "", page[1].ID, 10)
		must(t, err, "Deliveries (next page)")
		diff(t, "next page", all[2:], page)
		page, err = f.s.Webhooks().Deliveries(f.ctx, u.ID, e2.ID, "", 0)
		must(t, err, "Deliveries of e2")
		diff(t, "e2's", []coach.WebhookDelivery{all[1], all[3]}, page)
		must(t, f.s.Webhooks().DeleteEndpoint(f.ctx, u.ID, e2.ID), "DeleteEndpoint")
		page, err = f.s.Webhooks().Deliveries(f.ctx, u.ID, "", "", 0)
		must(t, err, "Deliveries after DeleteEndpoint")
		diff(t, "left", []coach.WebhookDelivery{all[0], all[2], all[4]}, page)
		_, err = f.s.Webhooks().Delivery(f.ctx, u.ID, all[1].ID)
		wantCode(t, err, coach.ENOTFOUND, "delivery of a deleted endpoint")
	})

	t.Run("PruneDeliveriesDeletesExactlyTheOldSettledOnes", runPruneDeliveries(newStore))

	t.Run("RuleBreaksAreMarkedOnce", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		b1 := storage.RuleBreak{RuleID: "r1", TradeID: "t1", At: base}
		b2 := storage.RuleBreak{RuleID: "r1", TradeID: "t2", At: base}
		got, err := f.s.Rules().MarkBroken(f.ctx, u.ID, []storage.RuleBreak{b1})
		must(t, err, "MarkBroken")
		diff(t, "first", []storage.RuleBreak{b1}, got)
		got, err = f.s.Rules().MarkBroken(f.ctx, u.ID, []storage.RuleBreak{b1, b2})
		must(t, err, "MarkBroken again")
		diff(t, "second: only the new one", []storage.RuleBreak{b2}, got)
		got, err = f.s.Rules().MarkBroken(f.ctx, other.ID, []storage.RuleBreak{b1})
		must(t, err, "MarkBroken of another user")
		diff(t, "another user's own", []storage.RuleBreak{b1}, got)
		_, err = f.s.Rules().MarkBroken(f.ctx, u.ID, []storage.RuleBreak{{RuleID: "r1"}})
		wantCode(t, err, coach.EINVALID, "a break without a trade")
		_, err = f.s.Rules().MarkBroken(f.ctx, coach.NewID(), []storage.RuleBreak{b1})
		wantCode(t, err, coach.ENOTFOUND, "an unknown user")
	})
}

// runPruneDeliveries: PruneDeliveries deletes, across users, the settled deliveries whose last
// attempt (creation when never tried) is before the cut-off, oldest first and at most limit a
// call, and nothing else: not a pending one however old, not a failed one whose retries ended
// after the cut-off, not a replayed one, not one settled exactly at the cut-off, and no endpoint.
func runPruneDeliveries(newStore func(*testing.T) storage.Store) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		u, o := f.user(), f.user()
		eu, eo := f.endpoint(u.ID), f.endpoint(o.ID)
		cut := base.Add(30 * 24 * time.Hour)
		n := 0
		// add enqueues a delivery of e and settles it by attempts made at the given offsets from
		// the cut-off with the final status (none: left pending, never tried).
		add := func(e coach.WebhookEndpoint, status string, offsets ...time.Duration) coach.WebhookDelivery {
			t.Helper()
			n++
			d := delivery(e, n)
			must(t, f.s.Webhooks().Enqueue(f.ctx, e.UserID, e.ID, []coach.WebhookDelivery{d}, nil), "Enqueue")
			for i, off := range offsets {
				a := storage.WebhookAttempt{At: cut.Add(off), Status: status, Error: "receiver answered 503"}
				if i < len(offsets)-1 || status == coach.DeliveryPending {
					next := cut.Add(off + time.Minute)
					a.Status, a.NextAttemptAt = coach.DeliveryPending, &next
				}
				if a.Status == coach.DeliverySucceeded {
					a.Error = ""
				}
				var err error
				d, _, err = f.s.Webhooks().RecordAttempt(f.ctx, e.UserID, d.ID, a)
				must(t, err, "RecordAttempt")
			}
			return d
		}
		day := 24 * time.Hour
		oldOK := add(eu, coach.DeliverySucceeded, -40*day)           // gone (the oldest)
		otherOK := add(eo, coach.DeliverySucceeded, -35*day)         // gone: another user's, pruned alike
		oldFailed := add(eu, coach.DeliveryFailed, -33*day, -31*day) // gone: retries ended before the cut-off
		lateFailed := add(eu, coach.DeliveryFailed, -2*day, day)     // kept: retries ended after it
		retrying := add(eu, coach.DeliveryPending, -20*day)          // kept: pending, though tried long ago
		neverTried := add(eo, "")                                    // kept: pending, created before the cut-off
		recent := add(eo, coach.DeliverySucceeded, time.Hour)        // kept: succeeded after it
		atCut := add(eu, coach.DeliverySucceeded, 0)                 // kept: not before the cut-off
		replayed := add(eu, coach.DeliverySucceeded, -50*day)        // kept: replayed, pending again
		_, err := f.s.Webhooks().Replay(f.ctx, u.ID, replayed.ID, cut.Add(-time.Hour))
		must(t, err, "Replay")
		epBefore, err := f.s.Webhooks().Endpoints(f.ctx, u.ID)
		must(t, err, "Endpoints")

		_, err = f.s.Webhooks().PruneDeliveries(f.ctx, time.Time{}, 0)
		wantCode(t, err, coach.EINVALID, "PruneDeliveries without a cut-off")
		got, err := f.s.Webhooks().PruneDeliveries(f.ctx, cut, 2)
		must(t, err, "PruneDeliveries (2)")
		if got != 2 {
			t.Fatalf("PruneDeliveries with limit 2 deleted %d", got)
		}
		// Oldest first: the two settled earliest went, the third is still there.
		for _, d := range []coach.WebhookDelivery{oldOK, otherOK} {
			_, err := f.s.Webhooks().Delivery(f.ctx, d.UserID, d.ID)
			wantCode(t, err, coach.ENOTFOUND, "a pruned delivery")
		}
		_, err = f.s.Webhooks().Delivery(f.ctx, u.ID, oldFailed.ID)
		must(t, err, "Delivery of the third oldest after a prune of 2")
		got, err = f.s.Webhooks().PruneDeliveries(f.ctx, cut, 0)
		must(t, err, "PruneDeliveries")
		if got != 1 {
			t.Errorf("second PruneDeliveries deleted %d, want 1", got)
		}
		got, err = f.s.Webhooks().PruneDeliveries(f.ctx, cut, 0)
		must(t, err, "PruneDeliveries again")
		if got != 0 {
			t.Errorf("PruneDeliveries with nothing left deleted %d", got)
		}

		ids := func(userID string) []string {
			t.Helper()
			all, err := storage.ListAllDeliveries(f.ctx, f.s.Webhooks(), userID)
			must(t, err, "ListAllDeliveries")
			var out []string
			for _, d := range all {
				out = append(out, d.ID)
			}
			slices.Sort(out)
			return out
		}
		sorted := func(ds ...coach.WebhookDelivery) []string {
			var out []string
			for _, d := range ds {
				out = append(out, d.ID)
			}
			slices.Sort(out)
			return out
		}
		diff(t, "user's deliveries left", sorted(lateFailed, retrying, atCut, replayed), ids(u.ID))
		diff(t, "other user's deliveries left", sorted(neverTried, recent), ids(o.ID))
		epAfter, err := f.s.Webhooks().Endpoints(f.ctx, u.ID)
		must(t, err, "Endpoints")
		diff(t, "endpoints after pruning", epBefore, epAfter)
		p, err := f.s.Webhooks().Pending(f.ctx, u.ID, eu.ID, 0)
		must(t, err, "Pending")
		diff(t, "pending after pruning", sorted(retrying, replayed), sorted(p...))
	}
}
