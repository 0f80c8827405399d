// Package core is the reference host's S3: the internal REST API that owns the data. It has no
// cookies and no sessions of its own to check: every request is signed with the internal key
// (transport/hmac), and a request that acts for a user names them in the signed subject header,
// which the edge sets after resolving the user's session. Routes mirror the public API.
package core

import (
	"log/slog"
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/link"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/refhost/services"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

// KeyID names the internal key in signatures.
const KeyID = "internal-1"

// Config is what the core API needs.
type Config struct {
	// Infra holds the store, blobs and queue; Services the capability services. Required.
	Infra    *infra.Infra
	Services *services.Services
	// Key is the internal key every request must be signed with. Required.
	Key []byte
	// Linker runs the Coinbase and Binance connect flows; without it those routes answer
	// unavailable.
	Linker *link.Linker
	// Clock, Logger and Metrics (coach.SystemClock, discard, coach.NopMetrics when nil).
	Clock   coach.Clock
	Logger  *slog.Logger
	Metrics coach.Metrics
}

// API is the core's HTTP handler.
type API struct {
	store   storage.Store
	queue   transport.Queue
	svc     *services.Services
	jobs    *jobs.Handlers
	syncer  *jobs.Syncer
	linker  *link.Linker
	clock   coach.Clock
	log     *slog.Logger
	handler http.Handler
}

// New returns the core API, or EINVALID naming a missing field.
func New(cfg Config) (*API, error) {
	if cfg.Infra == nil || cfg.Services == nil {
		return nil, coach.Errorf(coach.EINVALID, "core: Config.Infra and Config.Services are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{hmac.NewKey(KeyID, cfg.Key)}, Nonces: cfg.Infra.Nonces,
		Clock: cfg.Clock, Logger: cfg.Logger, MaxBodyBytes: maxUploadBytes})
	if err != nil {
		return nil, err
	}
	h, err := jobs.New(jobs.Config{Store: cfg.Infra.Store, Queue: cfg.Infra.Queue, Simulator: cfg.Services.Simulator,
		Scorer: cfg.Services.Scorer, Rules: cfg.Services.Rules, Exporter: cfg.Services.Exporter, Logger: cfg.Logger, Metrics: cfg.Metrics})
	if err != nil {
		return nil, err
	}
	syncer, err := jobs.NewSyncer(jobs.SyncerConfig{Store: cfg.Infra.Store, Queue: cfg.Infra.Queue, Limiter: cfg.Infra.Limiter,
		Leases: cfg.Infra.Leases, Clock: cfg.Clock})
	if err != nil {
		return nil, err
	}
	a := &API{store: cfg.Infra.Store, queue: cfg.Infra.Queue, svc: cfg.Services, jobs: h, syncer: syncer, clock: cfg.Clock, log: cfg.Logger,
		linker: cfg.Linker}
	mux := http.NewServeMux()
	for _, r := range a.routes() {
		mux.Handle(r.pattern, a.adapt(r))
	}
	a.handler = v.Middleware(mux)
	if cfg.Infra.Downloads != nil {
		// Download links carry their own signature and expiry: they are followed by browsers,
		// not signed by the edge.
		outer := http.NewServeMux()
		outer.Handle(infra.DownloadsPath, cfg.Infra.Downloads)
		outer.Handle("/", a.handler)
		a.handler = outer
	}
	return a, nil
}

// ServeHTTP answers a signed request; an API not built by New answers invalid to everything.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a == nil || a.handler == nil {
		httpjson.WriteError(w, r, nil, coach.Errorf(coach.EINVALID, "core: API not constructed; use core.New"))
		return
	}
	a.handler.ServeHTTP(w, r)
}
