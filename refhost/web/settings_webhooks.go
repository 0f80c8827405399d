package web

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
	"github.com/tradecoach/coach/webhook"
)

// The Webhooks section of the Settings page: the user's endpoints, create, edit and delete
// them, rotate a secret (shown once, see reveal.go), their recent deliveries with a test event
// and the replay of a failed one.

// maxDeliveries is the most deliveries listed per endpoint.
const maxDeliveries = 10

// eventTypeNames say each event type a webhook may subscribe to.
var eventTypeNames = map[string]string{
	coach.EventCoachReflect: "A coach reflection", coach.EventImportProgress: "Import progress",
	coach.EventDigestReady: "A weekly digest is ready", coach.EventSimulationReady: "A simulation ended",
	coach.EventExportReady: "An export is ready", coach.EventTagRevised: "A label was revised",
	coach.EventRuleBroken: "A rule was broken", coach.EventWebhookDisabled: "A webhook was switched off",
}

// eventChoice is an event type in a form, checked or not.
type eventChoice struct {
	Value, Name string
	Checked     bool
}

// deliveryView is one delivery.
type deliveryView struct {
	ID, EventType, Status, StatusText, When, Response string
	Failed                                            bool
}

// endpointView is one endpoint with its deliveries and its edit form.
type endpointView struct {
	ID, URL, Types, Created, Disabled string
	Enabled                           bool
	Failures                          int
	Deliveries                        []deliveryView
	Form                              formFields
	Events                            []eventChoice
}

// webhooksView is the section's data.
type webhooksView struct {
	// Unavailable says webhooks are not offered by this host.
	Unavailable bool
	Endpoints   []endpointView
	New         formFields
	NewEvents   []eventChoice
	// Secret is a secret just made, shown this once, and the endpoint it signs for.
	Secret, SecretFor string
}

// choices are the event types, checked when in sel.
func choices(sel []string) []eventChoice {
	out := make([]eventChoice, 0, len(webhook.EventTypes))
	for _, t := range webhook.EventTypes {
		name := eventTypeNames[t]
		if name == "" {
			name = t
		}
		out = append(out, eventChoice{Value: t, Name: name, Checked: slices.Contains(sel, t)})
	}
	return out
}

// webhooksView reads the user's endpoints and their recent deliveries.
func (w *Web) webhooksView(rq *Request, loc *time.Location) (webhooksView, error) {
	v := webhooksView{New: formState(rq, "webhook-new")}
	if v.New.Has() {
		v.NewEvents = choices(rq.Form["eventTypes"])
	} else {
		v.NewEvents = choices(nil)
	}
	if token := rq.URL.Query().Get("secret"); token != "" && w.reveals != nil {
		if ep, secret, ok := w.reveals.take(rq.User, token); ok {
			v.Secret, v.SecretFor = secret, ep
		}
	}
	var list struct {
		Endpoints []coach.WebhookEndpoint `json:"endpoints"`
	}
	err := rq.Get("/webhooks", &list)
	if coach.ErrorCode(err) == coach.EUNAVAILABLE {
		v.Unavailable = true
		return v, nil
	}
	if err != nil {
		return v, err
	}
	for _, ep := range list.Endpoints {
		e := endpointView{ID: ep.ID, URL: ep.URL, Created: stamp(ep.CreatedAt, loc), Enabled: ep.Enabled, Failures: ep.Failures,
			Form: formState(rq, "webhook-"+ep.ID)}
		if ep.DisabledReason != "" {
			e.Disabled = sentence(ep.DisabledReason)
		}
		if len(ep.EventTypes) == 0 {
			e.Types = "every event"
		} else {
			names := make([]string, len(ep.EventTypes))
			for i, t := range ep.EventTypes {
				names[i] = strings.ToLower(eventTypeNames[t])
				if names[i] == "" {
					names[i] = t
				}
			}
			e.Types = strings.Join(names, ", ")
		}
		if e.Form.Has() {
			e.Events = choices(rq.Form["eventTypes"])
		} else {
			e.Events = choices(ep.EventTypes)
			e.Form.Values["url"] = ep.URL
		}
		var ds struct {
			Deliveries []coach.WebhookDelivery `json:"deliveries"`
		}
		if err := rq.Get("/webhooks/"+url.PathEscape(ep.ID)+"/deliveries?limit="+strconv.Itoa(maxDeliveries), &ds); err != nil {
			return v, err
		}
		for _, d := range ds.Deliveries {
			dv := deliveryView{ID: d.ID, EventType: d.EventType, Status: d.Status, When: stamp(d.CreatedAt, loc), Failed: d.Status == coach.DeliveryFailed}
			switch d.Status {
			case coach.DeliverySucceeded:
				dv.StatusText = "Delivered"
			case coach.DeliveryFailed:
				dv.StatusText = "Failed after " + strconv.Itoa(d.Attempts) + " attempt"
				if d.Attempts != 1 {
					dv.StatusText += "s"
				}
			default:
				dv.StatusText = "Sending"
				if d.Attempts > 0 {
					dv.StatusText = "Retrying (" + strconv.Itoa(d.Attempts) + " attempts so far)"
				}
			}
			if d.ResponseStatus > 0 {
				dv.Response = "answered " + strconv.Itoa(d.ResponseStatus)
			} else if d.Error != "" {
				dv.Response = "no answer"
			}
			e.Deliveries = append(e.Deliveries, dv)
		}
		v.Endpoints = append(v.Endpoints, e)
	}
	return v, nil
}

// webhookFields maps core's webhook errors to the form's fields.
var webhookFields = map[string]string{"url": "url", "eventTypes": "eventTypes", "types": "eventTypes"}

// webhookInvalid says an invalid webhook form in plain words: an address refused by core
// (not https, a private or local address, user info) gets one sentence saying what is wanted.
func webhookInvalid(err error) error {
	err = formInvalid(err, webhookFields)
	var fe httpjson.FieldErrors
	if errors.As(err, &fe) {
		for i := range fe {
			if fe[i].Field == "url" {
				fe[i].Message = "Enter the https address of your receiver, such as https://example.com/hooks/tradecoach; private and local addresses are refused. (" + fe[i].Message + ")"
			}
		}
	}
	return err
}

// webhookPost does a webhook action: webhook-create, webhook-update, webhook-delete,
// webhook-rotate, webhook-test, replay.
func (w *Web) webhookPost(rq *Request, action string) (string, error) {
	id := rq.Form.Get("id")
	path := "/webhooks/" + url.PathEscape(id)
	back := func(notice string) string { return "/app/settings?notice=" + notice + "#webhooks" }
	input := func() map[string]any {
		types := rq.Form["eventTypes"]
		if types == nil {
			types = []string{}
		}
		in := map[string]any{"url": strings.TrimSpace(rq.Form.Get("url")), "eventTypes": types}
		if action == "webhook-update" {
			in["enabled"] = rq.Form.Get("enabled") == "on"
		}
		return in
	}
	var made struct {
		Endpoint coach.WebhookEndpoint `json:"endpoint"`
		Secret   string                `json:"secret"`
	}
	switch action {
	case "webhook-create":
		if err := rq.Send("POST", "/webhooks", input(), &made); err != nil {
			return "", webhookInvalid(err)
		}
		return w.revealURL(rq, made.Endpoint.URL, made.Secret), nil
	case "webhook-update":
		if err := rq.Send("PUT", path, input(), nil); err != nil {
			return "", webhookInvalid(err)
		}
		return back("webhook"), nil
	case "webhook-rotate":
		if err := rq.Send("POST", path+"/rotate", nil, &made); err != nil {
			return "", err
		}
		return w.revealURL(rq, made.Endpoint.URL, made.Secret), nil
	case "webhook-delete":
		return back("webhook-deleted"), rq.Send("DELETE", path, nil, nil)
	case "webhook-test":
		return back("tested"), rq.Send("POST", path+"/test", nil, nil)
	case "replay":
		return back("replayed"), rq.Send("POST", "/webhooks/deliveries/"+url.PathEscape(id)+"/replay", nil, nil)
	}
	return "", coach.Errorf(coach.EINVALID, "the form did not say what to do")
}

// revealURL keeps secret to be shown once and returns the page that shows it.
func (w *Web) revealURL(rq *Request, endpoint, secret string) string {
	if secret == "" || w.reveals == nil {
		return "/app/settings?notice=webhook#webhooks"
	}
	return "/app/settings?secret=" + w.reveals.put(rq.User, endpoint, secret) + "#webhooks"
}
