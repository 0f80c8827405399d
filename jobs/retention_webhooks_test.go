package jobs_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage"
)

// TestRetentionWebhooks: retention.webhooks deletes, for every user, exactly the deliveries that
// settled more than 30 days before its day — more than one batch of them on memory — and keeps
// the younger ones, the ones still pending however old, and the failed one whose last retry is
// younger; a second run deletes nothing more.
func TestRetentionWebhooks(t *testing.T) {
	t.Parallel()
	for _, env := range retentionEnvs {
		t.Run(env.name, func(t *testing.T) {
			t.Parallel()
			e := env.new(t)
			cut := retentionNow.Truncate(24 * time.Hour).Add(-jobs.DefaultWebhookDeliveryRetention)
			n := 0
			endpoint := func(userID string) coach.WebhookEndpoint {
				ep, err := e.store.Webhooks().CreateEndpoint(e.ctx, coach.WebhookEndpoint{ID: coach.NewID(), UserID: userID,
					URL: "https://hooks.example.com/x", EventTypes: []string{}, Enabled: true, SecretEnc: []byte("sealed"),
					CreatedAt: cut.AddDate(0, -3, 0), UpdatedAt: cut.AddDate(0, -3, 0)})
				must(t, err, "CreateEndpoint")
				return ep
			}
			// add enqueues count deliveries to ep created at created and, unless status is pending,
			// settles each by one attempt at settled.
			add := func(ep coach.WebhookEndpoint, count int, status string, created, settled time.Time) []string {
				var ds []coach.WebhookDelivery
				for range count {
					n++
					eid := fmt.Sprintf("01J00000000000000000%06d", n)
					ds = append(ds, coach.WebhookDelivery{ID: coach.NewID(), UserID: ep.UserID, EndpointID: ep.ID, MessageID: "msg_" + eid,
						EventID: eid, EventType: coach.EventRuleBroken, Body: json.RawMessage(`{}`), Status: coach.DeliveryPending,
						NextAttemptAt: &created, CreatedAt: created})
				}
				must(t, e.store.Webhooks().Enqueue(e.ctx, ep.UserID, ep.ID, ds, nil), "Enqueue")
				var ids []string
				for _, d := range ds {
					if status != coach.DeliveryPending {
						_, _, err := e.store.Webhooks().RecordAttempt(e.ctx, ep.UserID, d.ID, storage.WebhookAttempt{At: settled, Status: status})
						must(t, err, "RecordAttempt")
					}
					ids = append(ids, d.ID)
				}
				return ids
			}
			u, other := e.user(), e.user()
			eu, eo := endpoint(u.ID), endpoint(other.ID)
			old := 3
			if e.pg == nil {
				old = 1205 // more than one batch
			}
			add(eu, old, coach.DeliverySucceeded, cut.AddDate(0, 0, -5), cut.Add(-time.Hour))
			add(eo, 2, coach.DeliveryFailed, cut.AddDate(0, 0, -4), cut.Add(-time.Minute))
			var keep []string
			keep = append(keep, add(eu, 2, coach.DeliverySucceeded, cut, cut.Add(time.Hour))...)
			keep = append(keep, add(eu, 1, coach.DeliveryPending, cut.AddDate(0, 0, -60), time.Time{})...)
			keep = append(keep, add(eo, 1, coach.DeliveryFailed, cut.AddDate(0, 0, -3), cut.Add(time.Hour))...)
			slices.Sort(keep)

			h := e.handlers(nil, jobs.RetentionConfig{})
			for run := range 2 {
				must(t, h.RetentionWebhooks(e.ctx, jobs.RetentionWebhooksJob(retentionNow)), "RetentionWebhooks")
				var left []string
				for _, uid := range []string{u.ID, other.ID} {
					all, err := storage.ListAllDeliveries(e.ctx, e.store.Webhooks(), uid)
					must(t, err, "ListAllDeliveries")
					for _, d := range all {
						left = append(left, d.ID)
					}
				}
				slices.Sort(left)
				if diff := cmp.Diff(keep, left); diff != "" {
					t.Errorf("run %d: deliveries left (-want +got):\n%s", run, diff)
				}
			}
			if eps, err := e.store.Webhooks().Endpoints(e.ctx, u.ID); err != nil || len(eps) != 1 {
				t.Errorf("endpoints after retention: %d, %v", len(eps), err)
			}
		})
	}
}
