package serve

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/tradecoach/coach"
)

// Check is one readiness condition (a database ping, say): nil when ready.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// Config is what a Server needs.
type Config struct {
	// Stack names the server in logs ("core", "worker", "aicoach"). Required.
	Stack string
	// Addr is the host:port to listen on; port 0 picks a free one. Required unless Listener is
	// given.
	Addr string
	// Listener, when set, is used instead of listening on Addr: a host that must know its
	// address before it builds the handler (to mint links to itself) binds it first.
	Listener net.Listener
	// Handler serves every route but the operational ones; nil answers 404.
	Handler http.Handler
	// Ready are the checks /readyz runs, each bounded by a second.
	Ready []Check
	// Metrics serves /metrics; nil answers 404 there.
	Metrics http.Handler
	// Logger receives the access log and failures; nil discards them.
	Logger *slog.Logger
	// Requests receives the time of every request but the operational ones and WebSocket
	// upgrades (coach.MetricHTTPDuration, by stack and status class); nil records nothing.
	Requests coach.Metrics
	// Outer, when set, wraps everything the server answers, the operational routes included (the
	// edge's security headers go on /healthz too).
	Outer func(http.Handler) http.Handler
}

// Server is one stack's HTTP server. Build it with Listen.
type Server struct {
	cfg      Config
	ln       net.Listener
	srv      *http.Server
	draining atomic.Bool
}

// Listen binds cfg.Addr and returns the Server, not yet serving. EINVALID when Stack or Addr is
// missing; the listener's error when the address cannot be bound.
func Listen(cfg Config) (*Server, error) {
	if cfg.Stack == "" || cfg.Addr == "" && cfg.Listener == nil {
		return nil, coach.Errorf(coach.EINVALID, "serve: Config.Stack and Config.Addr (or Listener) are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Handler == nil {
		cfg.Handler = http.NotFoundHandler()
	}
	if cfg.Requests == nil {
		cfg.Requests = coach.NopMetrics{}
	}
	ln := cfg.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return nil, coach.Errorf(coach.EUNAVAILABLE, "serve: %s: listen on %s: %v", cfg.Stack, cfg.Addr, err)
		}
	}
	s := &Server{cfg: cfg, ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeStatus(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET /readyz", s.ready)
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}
	mux.Handle("/", cfg.Handler)
	var h http.Handler = mux
	if cfg.Outer != nil {
		h = cfg.Outer(mux)
	}
	s.srv = &http.Server{
		Handler:           withRequestLog(cfg.Stack, cfg.Logger, cfg.Requests, h),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Addr is the address the server listens on (with the port picked when Config.Addr had 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is "http://" and Addr.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Serve answers requests until Shutdown; it returns nil after a shutdown and the server's error
// otherwise.
func (s *Server) Serve() error {
	err := s.srv.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Drain makes /readyz answer 503, so that a load balancer stops sending new requests while the
// ones in flight finish. Shutdown drains first by itself.
func (s *Server) Drain() { s.draining.Store(true) }

// Shutdown drains the server: /readyz answers 503, the listener closes, and the requests in
// flight finish until ctx ends, when the remaining connections are closed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.Drain()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	return err
}

// RegisterOnShutdown calls f when Shutdown starts: the place to tell hijacked connections
// (WebSockets) to close.
func (s *Server) RegisterOnShutdown(f func()) { s.srv.RegisterOnShutdown(f) }

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeStatus(w, http.StatusServiceUnavailable, "draining")
		return
	}
	for _, c := range s.cfg.Ready {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		err := c.Run(ctx)
		cancel()
		if err != nil {
			s.cfg.Logger.WarnContext(r.Context(), "not ready", "stack", s.cfg.Stack, "check", c.Name, "err", err)
			writeStatus(w, http.StatusServiceUnavailable, c.Name+": not ready")
			return
		}
	}
	writeStatus(w, http.StatusOK, "ready")
}

func writeStatus(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(text + "\n"))
}

// Stack is the name of the stack the server serves.
func (s *Server) Stack() string { return s.cfg.Stack }
