package coach

import (
	"encoding/json"
	"net/url"
	"slices"
	"time"
)

// Webhook event types. EventRuleBroken is appended by rule evaluation, once per broken rule per
// trade; EventWebhookDisabled when delivery turns an endpoint off after sustained failure;
// EventWebhookTest is never in the outbox: it is the body of a test delivery a user asks for.
const (
	EventRuleBroken      = "rule.broken"
	EventWebhookDisabled = "webhook.disabled"
	EventWebhookTest     = "webhook.test"
)

// Webhook delivery statuses. A delivery is pending until an attempt succeeds (succeeded) or its
// retries run out (failed); a replay makes any delivery pending again.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// Bounds of webhook endpoints and deliveries.
const (
	// MaxWebhookURLBytes bounds WebhookEndpoint.URL.
	MaxWebhookURLBytes = 2048
	// MaxWebhookEventTypes bounds WebhookEndpoint.EventTypes.
	MaxWebhookEventTypes = 32
	// MaxWebhookExcerptBytes bounds WebhookDelivery.ResponseExcerpt: only a short excerpt of a
	// receiver's answer is ever kept.
	MaxWebhookExcerptBytes = 256
)

// WebhookEndpoint is where a user wants some of their events pushed (an addition to the seed):
// an HTTPS URL, the event types it subscribes to (empty means every type), and its signing
// secrets, sealed. SecretEnc is the current secret; PrevSecretEnc the one it replaced, still
// signed with until PrevUntil (the rotation's overlap window). Sealed secrets never leave the
// store in JSON. Cursor is the id of the last outbox event of the user that delivery has
// considered for this endpoint (fanned out or skipped); Failures counts failed attempts in a
// row; Enabled turns false when the user pauses the endpoint or delivery gives up on it
// (DisabledReason then says why).
type WebhookEndpoint struct {
	ID             string     `json:"id"`
	UserID         string     `json:"userId"`
	URL            string     `json:"url"`
	EventTypes     []string   `json:"eventTypes"`
	Enabled        bool       `json:"enabled"`
	SecretEnc      []byte     `json:"-"`
	PrevSecretEnc  []byte     `json:"-"`
	PrevUntil      *time.Time `json:"-"`
	Cursor         string     `json:"-"`
	Failures       int        `json:"failures"`
	DisabledReason string     `json:"disabledReason,omitempty"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

// Wants reports whether the endpoint subscribes to events of type typ.
func (e WebhookEndpoint) Wants(typ string) bool {
	return len(e.EventTypes) == 0 || slices.Contains(e.EventTypes, typ)
}

// Validate reports the first invalid field of e: ids, an absolute http(s) URL with a host (the
// webhook package decides which schemes and addresses it dials), well-formed distinct event
// types, a sealed secret, a PrevUntil exactly when there is a previous secret, and times in
// order. It does not resolve or dial anything.
func (e WebhookEndpoint) Validate() error {
	switch {
	case !ValidID(e.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(e.UserID):
		return Errorf(EINVALID, "userId: required")
	case e.URL == "" || len(e.URL) > MaxWebhookURLBytes:
		return Errorf(EINVALID, "url: required, at most %d bytes", MaxWebhookURLBytes)
	case len(e.EventTypes) > MaxWebhookEventTypes:
		return Errorf(EINVALID, "eventTypes: at most %d", MaxWebhookEventTypes)
	case len(e.SecretEnc) == 0:
		return Errorf(EINVALID, "secret: required")
	case (len(e.PrevSecretEnc) == 0) != (e.PrevUntil == nil):
		return Errorf(EINVALID, "previous secret: a previous secret needs its end of overlap, and only it")
	case e.Failures < 0:
		return Errorf(EINVALID, "failures: negative")
	case len(e.DisabledReason) > 256:
		return Errorf(EINVALID, "disabledReason: at most 256 bytes")
	case e.CreatedAt.IsZero() || e.UpdatedAt.Before(e.CreatedAt):
		return Errorf(EINVALID, "createdAt: required, not after updatedAt")
	}
	u, err := url.Parse(e.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return Errorf(EINVALID, "url: want an absolute http(s) URL with a host, no user info or fragment")
	}
	for i, t := range e.EventTypes {
		if !validEventType(t) {
			return Errorf(EINVALID, "eventTypes[%d]: want [a-z0-9._-], 1-64 characters", i)
		}
		if slices.Contains(e.EventTypes[:i], t) {
			return Errorf(EINVALID, "eventTypes[%d]: %s given twice", i, t)
		}
	}
	return nil
}

// WebhookDelivery is one event to be delivered, or delivered, to one endpoint. MessageID is the
// webhook-id header, the same on every attempt and replay, by which receivers dedupe. Body is the
// exact JSON sent (the event's Envelope), kept so that any delivery can be replayed after the
// outbox has pruned its event. ResponseExcerpt holds at most MaxWebhookExcerptBytes of the
// receiver's last answer; Error says, safely, why the last attempt failed.
type WebhookDelivery struct {
	ID              string          `json:"id"`
	UserID          string          `json:"userId"`
	EndpointID      string          `json:"endpointId"`
	MessageID       string          `json:"messageId"`
	EventID         string          `json:"eventId"`
	EventType       string          `json:"eventType"`
	Body            json.RawMessage `json:"-"`
	Status          string          `json:"status"`
	Attempts        int             `json:"attempts"`
	NextAttemptAt   *time.Time      `json:"nextAttemptAt"`
	LastAttemptAt   *time.Time      `json:"lastAttemptAt"`
	ResponseStatus  int             `json:"responseStatus"`
	ResponseExcerpt string          `json:"responseExcerpt,omitempty"`
	Error           string          `json:"error,omitempty"`
	CreatedAt       time.Time       `json:"createdAt"`
	DeliveredAt     *time.Time      `json:"deliveredAt"`
}

// Validate reports the first invalid field of d: ids, a known event type, a JSON object body of
// at most 16 KiB plus the envelope, a known status with a NextAttemptAt exactly when pending,
// and bounded texts.
func (d WebhookDelivery) Validate() error {
	switch {
	case !ValidID(d.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(d.UserID):
		return Errorf(EINVALID, "userId: required")
	case !ValidID(d.EndpointID):
		return Errorf(EINVALID, "endpointId: required")
	case !ValidID(d.MessageID):
		return Errorf(EINVALID, "messageId: required")
	case !ValidID(d.EventID):
		return Errorf(EINVALID, "eventId: required")
	case !validEventType(d.EventType):
		return Errorf(EINVALID, "eventType: required")
	case !isJSONObject(d.Body) || len(d.Body) > maxEventPayloadBytes+1024:
		return Errorf(EINVALID, "body: want a JSON object of at most %d bytes", maxEventPayloadBytes+1024)
	case d.Status != DeliveryPending && d.Status != DeliverySucceeded && d.Status != DeliveryFailed:
		return Errorf(EINVALID, "status: want pending, succeeded or failed")
	case (d.Status == DeliveryPending) != (d.NextAttemptAt != nil):
		return Errorf(EINVALID, "nextAttemptAt: set exactly when pending")
	case d.Attempts < 0:
		return Errorf(EINVALID, "attempts: negative")
	case len(d.ResponseExcerpt) > MaxWebhookExcerptBytes:
		return Errorf(EINVALID, "responseExcerpt: at most %d bytes", MaxWebhookExcerptBytes)
	case len(d.Error) > 512:
		return Errorf(EINVALID, "error: at most 512 bytes")
	case d.CreatedAt.IsZero():
		return Errorf(EINVALID, "createdAt: required")
	}
	return nil
}

// RuleBrokenPayload is the v1 payload of rule.broken: a trader's rule that a trade broke. It is
// appended once per (rule, trade), however often the rules are evaluated again.
type RuleBrokenPayload struct {
	RuleID  string    `json:"ruleId"`
	Kind    string    `json:"kind"`
	TradeID string    `json:"tradeId"`
	At      time.Time `json:"at"`
	// Evidence is the verdict's evidence: the numbers that decided it.
	Evidence json.RawMessage `json:"evidence"`
}

// WebhookDisabledPayload is the v1 payload of webhook.disabled: delivery turned an endpoint off
// after sustained failure. The URL is not repeated (the endpoint's id names it).
type WebhookDisabledPayload struct {
	EndpointID string `json:"endpointId"`
	Failures   int    `json:"failures"`
	Reason     string `json:"reason"`
}
