// Package edge is the reference host's S2, the only stack the internet talks to. It serves the
// public API (refhost/openapi) by passing each call to core (S3) signed with the internal key and
// naming the signed-in user in the signed subject; it holds the accounts' front door (sign-up,
// login, logout, password change and reset, with Argon2id), the session cookie, CSRF checks,
// idempotency keys, rate limits and the security headers of every response; it relays the user's
// events over the WebSocket /ws/coach and passes page requests on to the web stack (S1).
//
// The edge keeps no data of its own: users and sessions live in core and are looked up through
// signed internal calls, cached (storage.Cache) for at most SessionCacheTTL, so a session revoked
// anywhere stops working on every edge within that bound.
package edge

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/refhost/openapi"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
	"github.com/tradecoach/coach/transport/ws"
)

// KeyID names the internal key in the edge's signatures; core's verifier knows it by this id.
const KeyID = "internal-1"

// MaxSessionCacheTTL is the longest a resolved session is cached: a session revoked on one edge
// (or in core) is refused by every edge once it has passed.
const MaxSessionCacheTTL = 5 * time.Second

// Config is what an Edge needs. Durations and limits left zero take the defaults documented on
// each field.
type Config struct {
	// CoreURL is core's base URL ("http://127.0.0.1:8083"). Required.
	CoreURL string
	// Key is the internal key (at least hmac.MinKeyBytes) every call to core and to the web stack
	// is signed with. Required.
	Key []byte
	// Secret (at least hmac.MinKeyBytes, distinct from Key) peppers the ipHash and uaHash of
	// sessions and keys the CSRF tokens, the password-reset links and the idempotency hashes.
	// Required; every edge of a deployment shares it.
	Secret []byte
	// PublicURL is the origin browsers reach the edge at ("https://coach.example"): the only
	// Origin accepted on unsafe requests and WebSocket handshakes, and the base of emailed links.
	// Required.
	PublicURL string

	// Cache holds resolved sessions and pending sign-ups; Idempotency the answers of POSTs by
	// their Idempotency-Key; Limiter the rate limits. Redis-backed ones are shared by every edge.
	// Required.
	Cache       storage.Cache
	Idempotency storage.Idempotency
	Limiter     storage.RateLimiter
	// Bus carries live events to the WebSocket relay. Required.
	Bus transport.Bus
	// Mailer sends the sign-up and password-reset emails. Required.
	Mailer transport.Mailer

	// Web serves pages in the process; WebURL is the web stack's base URL, called with signed
	// requests. A GET outside the API goes to Web when set, else to WebURL when set, else answers a
	// placeholder page. Either way the user travels in hmac.HeaderSubject.
	Web    http.Handler
	WebURL string
	// Transport carries the calls to core and the web stack (http.DefaultTransport when nil).
	Transport http.RoundTripper

	// SessionCacheTTL is how long a resolved session is cached (MaxSessionCacheTTL when zero; at
	// most that). IdleTimeout ends a session unused that long (30 minutes); AbsoluteTimeout ends
	// any session that old (12 hours).
	SessionCacheTTL time.Duration
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// ResetTTL is how long a password-reset link works (30 minutes); SignupTTL how long a sign-up
	// confirmation link works (24 hours).
	ResetTTL  time.Duration
	SignupTTL time.Duration
	// Password is the Argon2id cost (OWASPParams when zero).
	Password PasswordParams
	// Limits are the rate limits (DefaultLimits for each zero field).
	Limits Limits

	// Clock, Logger and Metrics (coach.SystemClock, discard, coach.NopMetrics when nil).
	Clock   coach.Clock
	Logger  *slog.Logger
	Metrics coach.Metrics
}

// Edge is the public face of the reference host: an http.Handler. Build it with New; an Edge not
// built that way answers every request with an error (and the security headers).
type Edge struct {
	cfg     Config
	public  *url.URL
	core    *coreClient
	hasher  *hasher
	relay   *ws.Relay
	limits  Limits
	dummy   string // a hash to compare against for an unknown email
	web     http.Handler
	handler http.Handler
}

// New checks cfg, fills in its defaults and returns an Edge, or EINVALID naming the first
// missing or invalid field.
func New(cfg Config) (*Edge, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	public, err := parseOrigin(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	core, err := newCoreClient(cfg.CoreURL, cfg.Key, cfg.Transport)
	if err != nil {
		return nil, err
	}
	e := &Edge{cfg: cfg, public: public, core: core, limits: cfg.Limits,
		hasher: newHasher(cfg.Password, max(2, runtime.GOMAXPROCS(0)))}
	if e.web, err = webHandler(cfg, core.Signer()); err != nil {
		return nil, err
	}
	if e.dummy, err = e.hasher.hash(context.Background(), coach.NewID()+coach.NewID()); err != nil {
		return nil, err
	}
	e.relay, err = ws.NewRelay(ws.RelayConfig{Bus: cfg.Bus, Replayer: coreReplayer{core}, Authenticate: e.wsUser,
		OriginPatterns: []string{public.Host}, Clock: cfg.Clock, Logger: cfg.Logger, Metrics: cfg.Metrics})
	if err != nil {
		return nil, err
	}
	if e.handler, err = e.routes(); err != nil {
		return nil, err
	}
	return e, nil
}

func (cfg *Config) defaults() error {
	switch {
	case cfg.CoreURL == "":
		return coach.Errorf(coach.EINVALID, "edge: Config.CoreURL is required")
	case len(cfg.Key) < hmac.MinKeyBytes:
		return coach.Errorf(coach.EINVALID, "edge: Config.Key: want at least %d bytes", hmac.MinKeyBytes)
	case len(cfg.Secret) < hmac.MinKeyBytes || string(cfg.Secret) == string(cfg.Key):
		return coach.Errorf(coach.EINVALID, "edge: Config.Secret: want at least %d bytes, not the internal key", hmac.MinKeyBytes)
	case cfg.PublicURL == "":
		return coach.Errorf(coach.EINVALID, "edge: Config.PublicURL is required")
	case cfg.Cache == nil || cfg.Idempotency == nil || cfg.Limiter == nil:
		return coach.Errorf(coach.EINVALID, "edge: Config.Cache, Config.Idempotency and Config.Limiter are required")
	case cfg.Bus == nil:
		return coach.Errorf(coach.EINVALID, "edge: Config.Bus is required")
	case cfg.Mailer == nil:
		return coach.Errorf(coach.EINVALID, "edge: Config.Mailer is required")
	case cfg.SessionCacheTTL < 0 || cfg.SessionCacheTTL > MaxSessionCacheTTL:
		return coach.Errorf(coach.EINVALID, "edge: Config.SessionCacheTTL: want at most %s", MaxSessionCacheTTL)
	case cfg.IdleTimeout < 0 || cfg.AbsoluteTimeout < 0 || cfg.ResetTTL < 0 || cfg.SignupTTL < 0:
		return coach.Errorf(coach.EINVALID, "edge: Config: timeouts must not be negative")
	}
	setDefault(&cfg.SessionCacheTTL, MaxSessionCacheTTL)
	setDefault(&cfg.IdleTimeout, 30*time.Minute)
	setDefault(&cfg.AbsoluteTimeout, 12*time.Hour)
	setDefault(&cfg.ResetTTL, 30*time.Minute)
	setDefault(&cfg.SignupTTL, 24*time.Hour)
	if cfg.IdleTimeout > cfg.AbsoluteTimeout {
		return coach.Errorf(coach.EINVALID, "edge: Config.IdleTimeout is longer than Config.AbsoluteTimeout")
	}
	if cfg.Password == (PasswordParams{}) {
		cfg.Password = OWASPParams()
	}
	if err := cfg.Password.Validate(); err != nil {
		return err
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if err := cfg.Limits.validate(); err != nil {
		return err
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = coach.NopMetrics{}
	}
	return nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d == 0 {
		*d = v
	}
}

// parseOrigin reads the public URL: http or https, a host, no path beyond "/".
func parseOrigin(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return nil, coach.Errorf(coach.EINVALID, "edge: Config.PublicURL: want an origin such as https://coach.example")
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}

// ServeHTTP answers a request of the internet. Every answer carries the security headers.
func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e == nil || e.handler == nil {
		SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpjson.WriteError(w, r, nil, coach.Errorf(coach.EINVALID, "edge: Edge not constructed; use edge.New"))
		})).ServeHTTP(w, r)
		return
	}
	e.handler.ServeHTTP(w, r)
}

// Shutdown closes the WebSocket connections (close code 1001: resume elsewhere) and waits for
// them until ctx ends. Requests in flight are the HTTP server's to drain.
func (e *Edge) Shutdown(ctx context.Context) error {
	if e == nil || e.relay == nil {
		return nil
	}
	return e.relay.Shutdown(ctx)
}

// routes builds the handler: the security headers and the per-IP limit on everything, the session
// resolved and CSRF checked before routing, then the edge's own routes, every public operation of
// the OpenAPI document passed to core, and pages.
func (e *Edge) routes() (http.Handler, error) {
	doc, err := openapi.Load()
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openapi.yaml", serveDocument)
	own := e.authRoutes()
	own["GET /auth/csrf"] = http.HandlerFunc(e.csrfToken)
	for pattern, h := range own {
		mux.Handle(pattern, h)
	}
	mux.Handle("GET /ws/coach", e.relay)
	// The in-memory blob store's download links carry their own signature and expiry; core
	// serves them, and a link minted for the public URL reaches it through here.
	mux.Handle("GET "+infra.DownloadsPath, e.core.proxy(e.cfg.Logger))
	for _, op := range openapi.Operations(doc) {
		if _, ok := own[op]; ok || op == "DELETE /me/sessions/{id}" || op == "DELETE /me" {
			continue
		}
		method, path, _ := strings.Cut(op, " ")
		if strings.HasPrefix(path, "/auth/") || strings.HasPrefix(path, openapi.InternalPrefix) {
			return nil, coach.Errorf(coach.EINTERNAL, "edge: %s is in the public document but the edge has no handler of its own for it", op)
		}
		mux.Handle(op, e.api(method))
	}
	// Revoking a session, or erasing the account, drops it from the cache at once (other edges
	// within SessionCacheTTL).
	mux.Handle("DELETE /me/sessions/{id}", e.requireSession(e.limitUser(e.afterSuccess(e.core.proxy(e.cfg.Logger), func(w http.ResponseWriter, r *http.Request) {
		e.forget(r.Context(), "", r.PathValue("id"))
	}))))
	mux.Handle("DELETE /me", e.requireSession(e.limitUser(e.afterSuccess(e.core.proxy(e.cfg.Logger), func(w http.ResponseWriter, r *http.Request) {
		s, _ := sessionOf(r.Context())
		e.forget(r.Context(), s.TokenHash, s.ID)
		clearCookie(w, SessionCookie)
	}))))
	mux.HandleFunc("/", e.page)
	return SecurityHeaders(e.limitIP(e.withSession(e.checkCSRF(mux)))), nil
}

// serveDocument answers the public API's OpenAPI document.
func serveDocument(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openapi.YAML())
}

// api is the handler of a public operation: a signed-in user, their rate limit, an idempotency
// key on a POST, then core.
func (e *Edge) api(method string) http.Handler {
	h := e.core.proxy(e.cfg.Logger)
	if method == http.MethodPost {
		h = e.idempotent(h)
	}
	return e.requireSession(e.limitUser(h))
}

// afterSuccess runs next and, just before it writes a 2xx status, then (whose header changes go
// out with the answer).
func (e *Edge) afterSuccess(next http.Handler, then func(http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, then: func() { then(w, r) }}
		next.ServeHTTP(sw, r)
	})
}

// statusWriter calls then before a 2xx status is written, so that what then does to the
// headers goes out with the answer.
type statusWriter struct {
	http.ResponseWriter
	then  func()
	wrote bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.wrote = true
		if code >= 200 && code < 300 {
			s.then()
		}
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
