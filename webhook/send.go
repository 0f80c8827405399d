package webhook

import (
	"context"
	"strconv"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// sendEndpoint sends the endpoint's due deliveries in order, one at a time, until one fails, one
// is not due yet, the endpoint is disabled, the sender gave its slot back (an attempt overran
// SlowAfter: the endpoint's next attempts wait for the slow lane), or none is left. It returns
// how many succeeded.
func (d *Deliverer) sendEndpoint(ctx context.Context, h *hold, userID, endpointID string) int {
	ok := 0
	for {
		ep, err := d.store.Webhooks().Endpoint(ctx, userID, endpointID)
		if err != nil || !ep.Enabled {
			return ok
		}
		secrets, err := d.secrets(ctx, ep)
		if err != nil {
			d.log.ErrorContext(ctx, "webhook: cannot open the endpoint's secret", "endpointId", ep.ID, "code", coach.ErrorCode(err))
			return ok
		}
		pend, err := d.store.Webhooks().Pending(ctx, userID, endpointID, d.batch)
		if err != nil {
			return ok
		}
		for _, p := range pend {
			if ctx.Err() != nil || !h.held() || p.NextAttemptAt.After(d.now()) || !d.extend(ctx, endpointID) {
				return ok
			}
			sent, ep2, err := d.attempt(ctx, h, ep, secrets, p)
			if err != nil {
				if coach.ErrorCode(err) == coach.EINTERNAL {
					d.log.ErrorContext(ctx, "webhook: recording an attempt failed", "endpointId", ep.ID, "err", err)
				}
				return ok
			}
			if !sent {
				return ok // in order: later deliveries wait for this one's retry
			}
			ok++
			ep = ep2
		}
		if len(pend) < d.batch {
			return ok
		}
	}
}

// secrets opens the endpoint's current secret and, within the rotation's overlap, the old one.
func (d *Deliverer) secrets(ctx context.Context, ep coach.WebhookEndpoint) ([]string, error) {
	cur, err := d.sealer.Open(ctx, ep.UserID, ep.ID, ep.SecretEnc)
	if err != nil {
		return nil, err
	}
	out := []string{cur}
	if ep.PrevUntil != nil && d.now().Before(*ep.PrevUntil) && len(ep.PrevSecretEnc) > 0 {
		if prev, err := d.sealer.Open(ctx, ep.UserID, ep.ID, ep.PrevSecretEnc); err == nil {
			out = append(out, prev)
		}
	}
	return out, nil
}

// attempt makes one attempt at p and records it, with the endpoint's disabling when the
// failures in a row reach DisableAfter (and the webhook.disabled event) in the same transaction.
// It reports whether the receiver took the delivery.
func (d *Deliverer) attempt(ctx context.Context, h *hold, ep coach.WebhookEndpoint, secrets []string, p coach.WebhookDelivery) (bool, coach.WebhookEndpoint, error) {
	at := d.now()
	headers, err := Headers(secrets, p.MessageID, at, p.Body)
	if err != nil {
		return false, ep, err
	}
	actx, cancel := context.WithTimeout(ctx, d.client.timeout)
	began := time.Now()
	settle := d.watch(h, ep.ID)
	resp, perr := d.client.Post(actx, ep.URL, headers, p.Body)
	cancel()
	settle(time.Since(began))
	outcome := attemptOutcome(resp, perr)
	d.metrics.Count(coach.MetricWebhookAttempts, 1, "outcome", outcome)
	d.metrics.Observe(coach.MetricWebhookAttemptDuration, time.Since(began), "outcome", outcome)
	if ctx.Err() != nil {
		return false, ep, coach.WrapError(coach.ECANCELED, ctx.Err(), "webhook: canceled")
	}
	a := storage.WebhookAttempt{At: at, Status: coach.DeliverySucceeded, ResponseStatus: resp.Status, ResponseExcerpt: resp.Excerpt}
	switch {
	case perr != nil:
		a.Error = coach.ErrorMessage(perr)
	case !resp.OK():
		a.Error = "the receiver answered " + statusText(resp.Status)
	}
	if a.Error != "" {
		if len(a.Error) > 512 {
			a.Error = a.Error[:512]
		}
		if p.Attempts+1 >= d.maxAttempts {
			a.Status = coach.DeliveryFailed
		} else {
			next := at.Add(d.retry.Backoff(p.Attempts+1, d.jitter()))
			a.Status, a.NextAttemptAt = coach.DeliveryPending, &next
		}
		d.log.DebugContext(ctx, "webhook: attempt failed", "endpointId", ep.ID, "deliveryId", p.ID, "status", resp.Status, "code", coach.ErrorCode(perr))
	}
	var (
		out      coach.WebhookEndpoint
		disabled bool
	)
	// The attempt was made: record it even if ctx ends now.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer wcancel()
	err = d.store.InTx(wctx, func(tx storage.Tx) error {
		disabled = false
		_, e, err := tx.Webhooks().RecordAttempt(wctx, p.UserID, p.ID, a)
		if err != nil {
			return err
		}
		out = e
		if a.Status == coach.DeliverySucceeded || e.Failures < d.disableAfter || !e.Enabled {
			return nil
		}
		e.Enabled, e.DisabledReason = false, "disabled after "+strconv.Itoa(e.Failures)+" failed attempts in a row"
		e.UpdatedAt = later(at, e.CreatedAt)
		if out, err = tx.Webhooks().UpdateEndpoint(wctx, e); err != nil {
			return err
		}
		ev, err := coach.NewEvent(e.UserID, coach.EventWebhookDisabled, 1,
			coach.WebhookDisabledPayload{EndpointID: e.ID, Failures: e.Failures, Reason: e.DisabledReason})
		if err != nil {
			return err
		}
		if _, err = tx.Events().Append(wctx, ev); err != nil {
			return err
		}
		disabled = true
		return nil
	})
	if err == nil && disabled {
		d.metrics.Count(coach.MetricWebhooksDisabled, 1)
	}
	return err == nil && a.Status == coach.DeliverySucceeded, out, err
}

// attemptOutcome is the outcome label of an attempt: ok, http_4xx or http_5xx (and http_1xx,
// http_3xx), or the error code of an attempt that got no usable answer.
func attemptOutcome(r Response, err error) string {
	switch {
	case err != nil:
		return string(coach.ErrorCode(err))
	case r.OK():
		return coach.OutcomeOK
	}
	return "http_" + strconv.Itoa(r.Status/100) + "xx"
}

// statusText is an HTTP status as "503" with its text.
func statusText(code int) string {
	if code == 0 {
		return "nothing"
	}
	return strconv.Itoa(code)
}
