package core

import (
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
	"github.com/tradecoach/coach/webhook"
)

// withWebhooks is the handler of a webhook route: fn with the Webhooks service, or EUNAVAILABLE
// when this core was built without one.
func (a *API) withWebhooks(fn func(r *http.Request, userID string, svc *webhook.Service) (int, any, error)) func(*http.Request, string) (int, any, error) {
	return func(r *http.Request, userID string) (int, any, error) {
		if a.svc.Webhooks == nil {
			return fail(coach.Errorf(coach.EUNAVAILABLE, "webhooks are not configured on this host"))
		}
		return fn(r, userID, a.svc.Webhooks)
	}
}

// createdEndpoint is the answer to a create or a rotation: the endpoint and its secret, which
// is shown this once.
type createdEndpoint struct {
	Endpoint coach.WebhookEndpoint `json:"endpoint"`
	Secret   string                `json:"secret"`
}

func (a *API) listWebhooks(r *http.Request, userID string, svc *webhook.Service) (int, any, error) {
	eps, err := svc.Endpoints(r.Context(), userID)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]any{"endpoints": nonNil(eps)})
}

func (a *API) createWebhook(r *http.Request, userID string, svc *webhook.Service) (int, any, error) {
	var in webhook.Input
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	ep, secret, err := svc.Create(r.Context(), userID, in)
	if err != nil {
		return fail(err)
	}
	return http.StatusCreated, createdEndpoint{Endpoint: ep, Secret: secret}, nil
}

func (a *API) getWebhook(r *http.Request, userID string, svc *webhook.Service) (int, any, error) {
	ep, err := svc.Endpoint(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return ok(ep)
}

func (a *API) updateWebhook(r *http.Request, userID string, svc *webhook.Service) (int, any, error) {
	var in webhook.Input
	if err := httpjson.Decode(r, maxBodyBytes, &in); err != nil {
		return fail(err)
	}
	ep, err := svc.Update(r.Context(), userID, r.PathValue("id"), in)
	if err != nil {
		return fail(err)
	}
	return ok(ep)
}

func (a *API) deleteWebhook(r *http.Request, userID string, svc *webhook.Service) (int, any, error) {
	if err := svc.Delete(r.Context(), userID, r.PathValue("id")); err != nil {
		return fail(err)
	}
	return noContent()
}

func (a *API) rotateWebhook(r *http.Request, userID string, svc *webhook.Service) (int, any, error) {
	ep, secret, err := svc.Rotate(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return ok(createdEndpoint{Endpoint: ep, Secret: secret})
}

// webhookDeliveries lists an endpoint's recent deliveries, newest first.
func (a *API) webhookDeliveries(r *http.Request, userID string, svc *webhook.Service) (int, any, error) {
	q := newQuery(r)
	limit := q.limit(50)
	if err := q.err(); err != nil {
		return fail(err)
	}
	ds, err := svc.Deliveries(r.Context(), userID, r.PathValue("id"), limit)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]any{"deliveries": nonNil(ds)})
}

// testWebhook queues a webhook.test delivery to the endpoint and answers 202 with it.
func (a *API) testWebhook(r *http.Request, userID string, svc *webhook.Service) (int, any, error) {
	d, err := svc.SendTest(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return http.StatusAccepted, d, nil
}

// replayWebhookDelivery queues a past delivery again, with its webhook-id, and answers 202.
func (a *API) replayWebhookDelivery(r *http.Request, userID string, svc *webhook.Service) (int, any, error) {
	d, err := svc.Replay(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return http.StatusAccepted, d, nil
}
