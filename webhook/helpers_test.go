package webhook_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/webhook"
)

// sealer is a webhook.Sealer over broker/seal, as the reference host wires it.
type sealer struct{ s *seal.Sealer }

func binding(userID, endpointID string) seal.Binding {
	return seal.Binding{UserID: userID, Broker: "webhook", ConnectionID: endpointID, Purpose: "webhook_secret"}
}

func (s sealer) Seal(ctx context.Context, userID, endpointID, secret string) ([]byte, error) {
	sealed, err := s.s.Seal(ctx, binding(userID, endpointID), seal.NewToken(secret))
	return sealed.Bytes(), err
}

func (s sealer) Open(ctx context.Context, userID, endpointID string, sealed []byte) (string, error) {
	t, err := s.s.Open(ctx, binding(userID, endpointID), seal.SealedOf(sealed))
	return t.Reveal(), err
}

func newSealer(t testing.TB) sealer {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	kek, err := seal.NewLocalKEK(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := seal.New(seal.Config{KEK: kek, DataKeys: seal.NewMemoryDataKeys()})
	if err != nil {
		t.Fatal(err)
	}
	return sealer{s}
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// rig is a memory store, a manual clock, a Service and a Deliverer in the loopback test mode.
type rig struct {
	t     testing.TB
	ctx   context.Context
	clock *coach.ManualClock
	store storage.Store
	svc   *webhook.Service
	del   *webhook.Deliverer
	user  coach.User
}

func newRig(t testing.TB, cfg webhook.DelivererConfig) *rig {
	t.Helper()
	clock := coach.NewManualClock(t0)
	return newRigOn(t, memory.New(memory.WithClock(clock)), clock, cfg)
}

// newRigOn is newRig on another store (whose clock need not be clock).
func newRigOn(t testing.TB, store storage.Store, clock *coach.ManualClock, cfg webhook.DelivererConfig) *rig {
	t.Helper()
	sl := newSealer(t)
	svc, err := webhook.New(webhook.Config{Store: store, Sealer: sl, Clock: clock, AllowLoopback: true})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Client == nil {
		client, err := webhook.NewClient(webhook.ClientConfig{AllowLoopback: true, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Client = client
	}
	cfg.Store, cfg.Sealer, cfg.Clock = store, sl, clock
	if cfg.Jitter == nil {
		cfg.Jitter = func() float64 { return 0.5 }
	}
	del, err := webhook.NewDeliverer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	u := coach.User{ID: coach.NewID(), CreatedAt: t0}
	if err := store.Users().Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, ctx: context.Background(), clock: clock, store: store, svc: svc, del: del, user: u}
}

// otherUser returns a rig on the same store, Service and Deliverer for a new user.
func (r *rig) otherUser() *rig {
	r.t.Helper()
	o := *r
	o.user = coach.User{ID: coach.NewID(), CreatedAt: t0}
	if err := r.store.Users().Create(r.ctx, o.user); err != nil {
		r.t.Fatal(err)
	}
	return &o
}

// appendEvents commits n events of type typ for the rig's user, one transaction each, and
// returns their ids.
func (r *rig) appendEvents(typ string, n int) []string {
	r.t.Helper()
	var ids []string
	for i := range n {
		e, err := coach.NewEvent(r.user.ID, typ, 1, map[string]any{"n": i})
		if err != nil {
			r.t.Fatal(err)
		}
		out, err := r.store.Events().Append(r.ctx, e)
		if err != nil {
			r.t.Fatal(err)
		}
		ids = append(ids, out[0].ID)
	}
	return ids
}

// step runs the deliverer once and fails the test on an error.
func (r *rig) step() {
	r.t.Helper()
	if _, err := r.del.RunOnce(r.ctx); err != nil {
		r.t.Fatalf("RunOnce: %v", err)
	}
}

// received is one request a receiver verified.
type received struct {
	ID      string
	EventID string
	Type    string
}

// receiver is an httptest server that verifies every request against the endpoint's secret and
// answers with answer(n), n counting requests from 1.
type receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	verifier *webhook.Verifier
	calls    int
	got      []received // every verified request, in arrival order (with repeats)
	bad      int        // requests that failed verification
}

func newReceiver(t testing.TB, clock coach.Clock, answer func(n int) int) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		rc.mu.Lock()
		rc.calls++
		n, v := rc.calls, rc.verifier
		rc.mu.Unlock()
		status := answer(n)
		if v != nil {
			s, err := v.Verify(req.Header, body)
			if err != nil {
				rc.mu.Lock()
				rc.bad++
				rc.mu.Unlock()
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			var env coach.Envelope
			_ = json.Unmarshal(body, &env)
			if status < 300 {
				rc.mu.Lock()
				rc.got = append(rc.got, received{ID: s.ID, EventID: env.EventID, Type: env.Type})
				rc.mu.Unlock()
			}
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "answer to call")
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) verifyWith(t testing.TB, clock coach.Clock, secrets ...string) {
	t.Helper()
	v, err := webhook.NewVerifier(webhook.VerifierConfig{Secrets: secrets, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	rc.verifier = v
	rc.mu.Unlock()
}

// deduped returns the event ids received, first copy of each webhook-id only, in arrival order.
func (rc *receiver) deduped() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var seen []string
	var out []string
	for _, g := range rc.got {
		if slices.Contains(seen, g.ID) {
			continue
		}
		seen = append(seen, g.ID)
		out = append(out, g.EventID)
	}
	return out
}

func (rc *receiver) snapshot() (calls int, got []received, bad int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.calls, slices.Clone(rc.got), rc.bad
}

// endpoint creates an endpoint of the rig's user to rc and makes rc verify with its secret.
func (r *rig) endpoint(rc *receiver, types ...string) coach.WebhookEndpoint {
	r.t.Helper()
	e, secret, err := r.svc.Create(r.ctx, r.user.ID, webhook.Input{URL: rc.srv.URL + "/hook", EventTypes: types})
	if err != nil {
		r.t.Fatalf("Create: %v", err)
	}
	rc.verifyWith(r.t, r.clock, secret)
	return e
}

func (r *rig) deliveries(endpointID string) []coach.WebhookDelivery {
	r.t.Helper()
	ds, err := r.store.Webhooks().Deliveries(r.ctx, r.user.ID, endpointID, "", storage.MaxLimit)
	if err != nil {
		r.t.Fatal(err)
	}
	return ds
}
