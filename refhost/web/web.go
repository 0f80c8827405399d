package web

import (
	"html/template"
	"log/slog"
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport/hmac"
)

// KeyID names the internal key in the signatures web makes and checks (the same id as core's and
// the edge's).
const KeyID = "internal-1"

// Config is what a Web needs.
type Config struct {
	// CoreURL is core's base URL ("http://127.0.0.1:8083"). Required.
	CoreURL string
	// Key is the internal key (at least hmac.MinKeyBytes): calls to core are signed with it, and,
	// as a separate process, the edge's requests are checked against it. Required.
	Key []byte
	// InProcess says the edge calls this handler in its own process (edge.Config.Web), having
	// removed what a client sent under the internal headers: the user is read from
	// hmac.HeaderSubject as is. Otherwise Nonces is required and every request must carry the
	// edge's signature.
	InProcess bool
	// Nonces remembers the nonces of the edge's signed requests (separate process only).
	Nonces storage.Nonces
	// Transport carries the calls to core (http.DefaultTransport when nil).
	Transport http.RoundTripper
	// Clock and Logger (coach.SystemClock, discard when nil).
	Clock  coach.Clock
	Logger *slog.Logger
}

// Web serves the pages: an http.Handler. Build it with New; a Web not built that way answers
// every request with a plain error page.
type Web struct {
	cfg     Config
	core    *coreClient
	pages   map[string]*template.Template
	assets  *assets
	key     []byte
	handler http.Handler
	reveals *reveals // webhook secrets to show once (reveal.go)
}

// New checks cfg and returns a Web, or EINVALID naming the first missing or invalid field.
func New(cfg Config) (*Web, error) {
	switch {
	case cfg.CoreURL == "":
		return nil, coach.Errorf(coach.EINVALID, "web: Config.CoreURL is required")
	case len(cfg.Key) < hmac.MinKeyBytes:
		return nil, coach.Errorf(coach.EINVALID, "web: Config.Key: want at least %d bytes", hmac.MinKeyBytes)
	case !cfg.InProcess && cfg.Nonces == nil:
		return nil, coach.Errorf(coach.EINVALID, "web: Config.Nonces is required unless Config.InProcess")
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	core, err := newCoreClient(cfg.CoreURL, cfg.Key, cfg.Transport)
	if err != nil {
		return nil, err
	}
	w := &Web{cfg: cfg, core: core, key: append([]byte(nil), cfg.Key...), reveals: newReveals(cfg.Clock)}
	if w.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if w.pages, err = w.parseTemplates(); err != nil {
		return nil, err
	}
	h, err := w.routes()
	if err != nil {
		return nil, err
	}
	if !cfg.InProcess {
		if h, err = w.verified(h); err != nil {
			return nil, err
		}
	}
	w.handler = gzipped(h)
	return w, nil
}

// ServeHTTP answers a page request the edge passed on.
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if w == nil || w.handler == nil {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.WriteHeader(http.StatusInternalServerError)
		_, _ = rw.Write([]byte("The web pages are not set up; use web.New.\n"))
		return
	}
	w.handler.ServeHTTP(rw, r)
}
