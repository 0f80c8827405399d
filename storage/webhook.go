package storage

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// CursorMove advances an endpoint's Cursor from From to To as part of Webhooks.Enqueue: a
// compare-and-set, so that two fan-outs of the same events cannot both enqueue them.
type CursorMove struct {
	From, To string
}

// WebhookAttempt is the outcome of one delivery attempt, for Webhooks.RecordAttempt.
type WebhookAttempt struct {
	// At is when the attempt was made. Required.
	At time.Time
	// Status is the delivery's status after the attempt: succeeded, pending (to be retried at
	// NextAttemptAt) or failed (retries have run out).
	Status        string
	NextAttemptAt *time.Time
	// ResponseStatus is the receiver's HTTP status, 0 when none came.
	ResponseStatus int
	// ResponseExcerpt is at most coach.MaxWebhookExcerptBytes of the receiver's answer.
	ResponseExcerpt string
	// Error says why the attempt failed ("" on success), in words safe to show.
	Error string
}

// DueEndpoint names an endpoint with a delivery due, for Webhooks.Due.
type DueEndpoint struct {
	UserID     string
	EndpointID string
}

// Webhooks stores users' webhook endpoints (coach.WebhookEndpoint) and the deliveries made to
// them (coach.WebhookDelivery). Endpoints and their deliveries go with their user; deleting an
// endpoint deletes its deliveries.
//
// Every method but Active, Due and PruneDeliveries (the worker's, across users) is scoped to one
// user: another user's endpoint or delivery is never returned, changed or deleted, and naming one
// gives ENOTFOUND.
type Webhooks interface {
	// CreateEndpoint stores e, which must be valid. ECONFLICT if the id is taken (by any user's
	// endpoint); ENOTFOUND if the user does not exist. Cursor is stored as given (the id of the
	// newest event the endpoint is not to receive, "" for all retained ones).
	CreateEndpoint(ctx context.Context, e coach.WebhookEndpoint) (coach.WebhookEndpoint, error)

	// Endpoint returns the user's endpoint id, or ENOTFOUND.
	Endpoint(ctx context.Context, userID, id string) (coach.WebhookEndpoint, error)

	// Endpoints returns the user's endpoints, oldest CreatedAt first (then id).
	Endpoints(ctx context.Context, userID string) ([]coach.WebhookEndpoint, error)

	// UpdateEndpoint replaces URL, EventTypes, Enabled, the secrets, Failures, DisabledReason and
	// UpdatedAt of the user's endpoint e.ID (e must be valid; its Cursor and CreatedAt are not
	// used) and returns it as stored. ENOTFOUND if there is none.
	UpdateEndpoint(ctx context.Context, e coach.WebhookEndpoint) (coach.WebhookEndpoint, error)

	// DeleteEndpoint removes the user's endpoint id and its deliveries, or gives ENOTFOUND.
	DeleteEndpoint(ctx context.Context, userID, id string) error

	// Active returns enabled endpoints of every user with id > after, in id order, at most
	// Clamp(limit): what a delivery worker fans events out to.
	Active(ctx context.Context, after string, limit int) ([]coach.WebhookEndpoint, error)

	// Enqueue stores deliveries (each valid, pending, of the user's endpoint endpointID) and,
	// when move is not nil, sets the endpoint's Cursor from move.From to move.To, in one step. A
	// delivery whose MessageID the endpoint already has is skipped (enqueueing is idempotent).
	// ECONFLICT if the Cursor is not move.From (another fan-out moved it) or a delivery's ID is
	// taken; ENOTFOUND if the user has no such endpoint. Deliveries are sent in the order
	// enqueued (see Pending).
	Enqueue(ctx context.Context, userID, endpointID string, deliveries []coach.WebhookDelivery, move *CursorMove) error

	// Pending returns the endpoint's pending deliveries in the order they were enqueued, at most
	// Clamp(limit). A delivery replayed keeps its place.
	Pending(ctx context.Context, userID, endpointID string, limit int) ([]coach.WebhookDelivery, error)

	// Due returns enabled endpoints of every user that have a pending delivery with
	// NextAttemptAt at or before now, in endpoint id order, at most Clamp(limit).
	Due(ctx context.Context, now time.Time, limit int) ([]DueEndpoint, error)

	// RecordAttempt stores the outcome of an attempt at the user's delivery id (Attempts + 1,
	// LastAttemptAt, Status, NextAttemptAt, the response, DeliveredAt when succeeded) and the
	// endpoint's Failures (0 after a success, one more after a failure), and returns the delivery
	// and its endpoint as stored. EINVALID for an attempt whose status and NextAttemptAt do not
	// go together; ENOTFOUND if there is no such delivery.
	RecordAttempt(ctx context.Context, userID, id string, a WebhookAttempt) (coach.WebhookDelivery, coach.WebhookEndpoint, error)

	// Delivery returns the user's delivery id, or ENOTFOUND.
	Delivery(ctx context.Context, userID, id string) (coach.WebhookDelivery, error)

	// Deliveries returns the user's deliveries, newest first (CreatedAt, then id, descending),
	// only those of endpointID when it is not "", at most Clamp(limit), before the delivery
	// before when it is not "" (keyset paging).
	Deliveries(ctx context.Context, userID, endpointID, before string, limit int) ([]coach.WebhookDelivery, error)

	// Replay makes the user's delivery id pending again with NextAttemptAt at and Attempts 0 (a
	// fresh round of retries), keeping its MessageID, Body and place in the endpoint's order, and
	// returns it. ENOTFOUND if there is none.
	Replay(ctx context.Context, userID, id string, at time.Time) (coach.WebhookDelivery, error)

	// PruneDeliveries deletes, across every user, at most Clamp(limit) settled deliveries —
	// succeeded or failed, never pending — whose last attempt (their creation when never tried)
	// is before before, oldest first, and returns how many it deleted. So a failed delivery stays
	// replayable for the whole retention after its retries ran out, a replayed one counts from its
	// new attempts, and one still being retried is never deleted. Nothing else changes: endpoints,
	// their cursors and every other delivery stay as they are.
	PruneDeliveries(ctx context.Context, before time.Time, limit int) (int, error)
}

// DeliverySettledAt is the time PruneDeliveries compares with its cut-off: the delivery's last
// attempt, or its creation when it was never tried.
func DeliverySettledAt(d coach.WebhookDelivery) time.Time {
	if d.LastAttemptAt != nil {
		return *d.LastAttemptAt
	}
	return d.CreatedAt
}

// Validate reports the first invalid field of a.
func (a WebhookAttempt) Validate() error {
	switch {
	case a.At.IsZero():
		return coach.Errorf(coach.EINVALID, "attempt: at: required")
	case a.Status != coach.DeliveryPending && a.Status != coach.DeliverySucceeded && a.Status != coach.DeliveryFailed:
		return coach.Errorf(coach.EINVALID, "attempt: status: want pending, succeeded or failed")
	case (a.Status == coach.DeliveryPending) != (a.NextAttemptAt != nil):
		return coach.Errorf(coach.EINVALID, "attempt: nextAttemptAt: set exactly when pending")
	case len(a.ResponseExcerpt) > coach.MaxWebhookExcerptBytes:
		return coach.Errorf(coach.EINVALID, "attempt: responseExcerpt: at most %d bytes", coach.MaxWebhookExcerptBytes)
	case len(a.Error) > 512:
		return coach.Errorf(coach.EINVALID, "attempt: error: at most 512 bytes")
	}
	return nil
}

// Apply returns d after attempt a (which must be valid): adapters share it so that every store
// records attempts alike.
func (a WebhookAttempt) Apply(d coach.WebhookDelivery) coach.WebhookDelivery {
	at := a.At.UTC()
	d.Attempts++
	d.LastAttemptAt = &at
	d.Status = a.Status
	d.NextAttemptAt = nil
	if a.NextAttemptAt != nil {
		n := a.NextAttemptAt.UTC()
		d.NextAttemptAt = &n
	}
	d.ResponseStatus, d.ResponseExcerpt, d.Error = a.ResponseStatus, a.ResponseExcerpt, a.Error
	if a.Status == coach.DeliverySucceeded {
		d.DeliveredAt = &at
	}
	return d
}

// RuleBreak is a rule a trade broke, recorded once (Rules.MarkBroken) so that rule.broken is
// appended once per rule and trade.
type RuleBreak struct {
	RuleID  string
	TradeID string
	At      time.Time
}

// ListAllDeliveries pages through every delivery of the user, newest first, MaxLimit at a time.
func ListAllDeliveries(ctx context.Context, w Webhooks, userID string) ([]coach.WebhookDelivery, error) {
	var out []coach.WebhookDelivery
	before := ""
	for {
		page, err := w.Deliveries(ctx, userID, "", before, MaxLimit)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < MaxLimit {
			return out, nil
		}
		before = page[len(page)-1].ID
	}
}
