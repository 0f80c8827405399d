package webhook

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// DefaultRotationOverlap is how long a rotated-out secret still signs deliveries.
const DefaultRotationOverlap = 24 * time.Hour

// EventTypes are the event types an endpoint may subscribe to.
var EventTypes = []string{
	coach.EventCoachReflect, coach.EventImportProgress, coach.EventDigestReady, coach.EventSimulationReady,
	coach.EventExportReady, coach.EventTagRevised, coach.EventRuleBroken, coach.EventWebhookDisabled,
}

// Sealer seals endpoints' signing secrets for storage and opens them to sign. Binding a sealed
// secret to its user and endpoint is the Sealer's business (broker/seal does it with the user's
// data key); a secret sealed for one endpoint must not open for another.
type Sealer interface {
	Seal(ctx context.Context, userID, endpointID, secret string) ([]byte, error)
	Open(ctx context.Context, userID, endpointID string, sealed []byte) (string, error)
}

// Config configures a Service.
type Config struct {
	Store storage.Store // required
	// Sealer seals secrets. Required: a secret is never stored in clear.
	Sealer Sealer
	// Clock stamps CreatedAt, UpdatedAt and test deliveries; coach.SystemClock when nil.
	Clock coach.Clock
	// AllowLoopback is the test mode of CheckURL: http and loopback URLs are accepted.
	AllowLoopback bool
	// RotationOverlap is how long the old secret keeps signing after Rotate;
	// DefaultRotationOverlap when 0.
	RotationOverlap time.Duration
	// Logger receives faults; nil discards them.
	Logger *slog.Logger
}

// Service manages users' webhook endpoints: create, update, rotate the secret, delete, list the
// deliveries, replay one, send a test event. A secret is returned once, by Create and Rotate,
// and never again.
type Service struct {
	store         storage.Store
	sealer        Sealer
	clock         coach.Clock
	allowLoopback bool
	overlap       time.Duration
	log           *slog.Logger
}

// New returns a Service, or EINVALID naming the first missing or invalid field of cfg.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "webhook: Config.Store is required")
	case cfg.Sealer == nil:
		return nil, coach.Errorf(coach.EINVALID, "webhook: Config.Sealer is required")
	case cfg.RotationOverlap < 0:
		return nil, coach.Errorf(coach.EINVALID, "webhook: Config.RotationOverlap: negative")
	}
	s := &Service{store: cfg.Store, sealer: cfg.Sealer, clock: cfg.Clock, allowLoopback: cfg.AllowLoopback,
		overlap: cfg.RotationOverlap, log: cfg.Logger}
	if s.clock == nil {
		s.clock = coach.SystemClock{}
	}
	if s.overlap == 0 {
		s.overlap = DefaultRotationOverlap
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

var errNotConstructed = coach.Errorf(coach.EINVALID, "webhook: Service not constructed; use webhook.New")

func (s *Service) constructed() bool { return s != nil && s.store != nil }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Input is what a user sets on an endpoint.
type Input struct {
	// URL is where deliveries go (CheckURL).
	URL string `json:"url"`
	// EventTypes are the types subscribed to (of EventTypes); empty means every one.
	EventTypes []string `json:"eventTypes"`
	// Enabled turns delivery on or off; nil leaves it as it is (on for a new endpoint).
	// Turning a disabled endpoint on clears its failures.
	Enabled *bool `json:"enabled,omitempty"`
}

// check validates in and returns its event types sorted.
func (s *Service) check(in Input) ([]string, error) {
	if _, err := CheckURL(in.URL, s.allowLoopback); err != nil {
		return nil, err
	}
	types := slices.Clone(in.EventTypes)
	if types == nil {
		types = []string{}
	}
	slices.Sort(types)
	types = slices.Compact(types)
	for _, t := range types {
		if !slices.Contains(EventTypes, t) {
			return nil, coach.Errorf(coach.EINVALID, "webhook: eventTypes: %q is not an event type one can subscribe to", t)
		}
	}
	return types, nil
}

// Create stores a new endpoint of the user and returns it with its secret, which is shown this
// once. The endpoint receives events appended from now on, not the user's past ones. EINVALID
// for a bad URL or event type, EFORBIDDEN for a URL whose address is refused, ENOTFOUND for an
// unknown user.
func (s *Service) Create(ctx context.Context, userID string, in Input) (coach.WebhookEndpoint, string, error) {
	if !s.constructed() {
		return coach.WebhookEndpoint{}, "", errNotConstructed
	}
	types, err := s.check(in)
	if err != nil {
		return coach.WebhookEndpoint{}, "", err
	}
	if !coach.ValidID(userID) {
		return coach.WebhookEndpoint{}, "", coach.Errorf(coach.EINVALID, "webhook: userId: required")
	}
	secret, err := NewSecret()
	if err != nil {
		return coach.WebhookEndpoint{}, "", err
	}
	now := s.now()
	e := coach.WebhookEndpoint{ID: coach.NewID(), UserID: userID, URL: in.URL, EventTypes: types, Enabled: in.Enabled == nil || *in.Enabled,
		CreatedAt: now, UpdatedAt: now}
	if e.SecretEnc, err = s.sealer.Seal(ctx, userID, e.ID, secret); err != nil {
		return coach.WebhookEndpoint{}, "", err
	}
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		newest, err := tx.Events().Newest(ctx, userID)
		if err != nil && coach.ErrorCode(err) != coach.ENOTFOUND {
			return err
		}
		e.Cursor = newest
		e, err = tx.Webhooks().CreateEndpoint(ctx, e)
		return err
	})
	if err != nil {
		return coach.WebhookEndpoint{}, "", err
	}
	return e, secret, nil
}

// Endpoint returns the user's endpoint id, or ENOTFOUND.
func (s *Service) Endpoint(ctx context.Context, userID, id string) (coach.WebhookEndpoint, error) {
	if !s.constructed() {
		return coach.WebhookEndpoint{}, errNotConstructed
	}
	return s.store.Webhooks().Endpoint(ctx, userID, id)
}

// Endpoints returns the user's endpoints, oldest first.
func (s *Service) Endpoints(ctx context.Context, userID string) ([]coach.WebhookEndpoint, error) {
	if !s.constructed() {
		return nil, errNotConstructed
	}
	return s.store.Webhooks().Endpoints(ctx, userID)
}

// Update replaces the URL and event types of the user's endpoint id and, when in.Enabled is set,
// turns it on or off (on clears its failures and the reason it was disabled). ENOTFOUND if there
// is no such endpoint; the errors of Create for a bad input.
func (s *Service) Update(ctx context.Context, userID, id string, in Input) (coach.WebhookEndpoint, error) {
	if !s.constructed() {
		return coach.WebhookEndpoint{}, errNotConstructed
	}
	types, err := s.check(in)
	if err != nil {
		return coach.WebhookEndpoint{}, err
	}
	var out coach.WebhookEndpoint
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		e, err := tx.Webhooks().Endpoint(ctx, userID, id)
		if err != nil {
			return err
		}
		e.URL, e.EventTypes, e.UpdatedAt = in.URL, types, later(s.now(), e.CreatedAt)
		if in.Enabled != nil {
			if *in.Enabled && !e.Enabled {
				e.Failures, e.DisabledReason = 0, ""
			}
			e.Enabled = *in.Enabled
		}
		out, err = tx.Webhooks().UpdateEndpoint(ctx, e)
		return err
	})
	return out, err
}

// Rotate gives the user's endpoint id a new secret and returns it, shown this once. The old
// secret keeps signing, beside the new one, for Config.RotationOverlap, so receivers can switch
// without losing a delivery. ENOTFOUND if there is no such endpoint.
func (s *Service) Rotate(ctx context.Context, userID, id string) (coach.WebhookEndpoint, string, error) {
	if !s.constructed() {
		return coach.WebhookEndpoint{}, "", errNotConstructed
	}
	secret, err := NewSecret()
	if err != nil {
		return coach.WebhookEndpoint{}, "", err
	}
	sealed, err := s.sealer.Seal(ctx, userID, id, secret)
	if err != nil {
		return coach.WebhookEndpoint{}, "", err
	}
	var out coach.WebhookEndpoint
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		e, err := tx.Webhooks().Endpoint(ctx, userID, id)
		if err != nil {
			return err
		}
		now := later(s.now(), e.CreatedAt)
		until := now.Add(s.overlap)
		e.PrevSecretEnc, e.PrevUntil, e.SecretEnc, e.UpdatedAt = e.SecretEnc, &until, sealed, now
		out, err = tx.Webhooks().UpdateEndpoint(ctx, e)
		return err
	})
	if err != nil {
		return coach.WebhookEndpoint{}, "", err
	}
	return out, secret, nil
}

// Delete removes the user's endpoint id and its deliveries, or gives ENOTFOUND.
func (s *Service) Delete(ctx context.Context, userID, id string) error {
	if !s.constructed() {
		return errNotConstructed
	}
	return s.store.Webhooks().DeleteEndpoint(ctx, userID, id)
}

// Deliveries returns the user's recent deliveries to endpoint id, newest first, at most
// storage.Clamp(limit). ENOTFOUND if the user has no such endpoint.
func (s *Service) Deliveries(ctx context.Context, userID, id string, limit int) ([]coach.WebhookDelivery, error) {
	if !s.constructed() {
		return nil, errNotConstructed
	}
	if _, err := s.store.Webhooks().Endpoint(ctx, userID, id); err != nil {
		return nil, err
	}
	return s.store.Webhooks().Deliveries(ctx, userID, id, "", limit)
}

// Replay makes the user's delivery id pending again, due now, with the same webhook-id and body;
// the Deliverer sends it next (before the endpoint's later deliveries). ENOTFOUND if there is
// none.
func (s *Service) Replay(ctx context.Context, userID, deliveryID string) (coach.WebhookDelivery, error) {
	if !s.constructed() {
		return coach.WebhookDelivery{}, errNotConstructed
	}
	return s.store.Webhooks().Replay(ctx, userID, deliveryID, s.now())
}

// TestPayload is the payload of a webhook.test delivery.
type TestPayload struct {
	EndpointID string `json:"endpointId"`
	Message    string `json:"message"`
}

// SendTest queues a webhook.test delivery to the user's endpoint id, due now, after the
// endpoint's pending deliveries, and returns it. It is never in the outbox and no one else gets
// it. ENOTFOUND if there is no such endpoint.
func (s *Service) SendTest(ctx context.Context, userID, id string) (coach.WebhookDelivery, error) {
	if !s.constructed() {
		return coach.WebhookDelivery{}, errNotConstructed
	}
	now := s.now()
	eid, err := coach.NextEventID(now, "")
	if err != nil {
		return coach.WebhookDelivery{}, coach.Errorf(coach.EINTERNAL, "webhook: no randomness for an id")
	}
	ev, err := coach.NewEvent(userID, coach.EventWebhookTest, 1, TestPayload{EndpointID: id, Message: "A test event from tradecoach."})
	if err != nil {
		return coach.WebhookDelivery{}, err
	}
	ev.ID, ev.TS = eid, now
	d, err := deliveryOf(ev, id, now)
	if err != nil {
		return coach.WebhookDelivery{}, err
	}
	if err := s.store.Webhooks().Enqueue(ctx, userID, id, []coach.WebhookDelivery{d}, nil); err != nil {
		return coach.WebhookDelivery{}, err
	}
	return d, nil
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}
