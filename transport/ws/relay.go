package ws

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// Relay defaults.
const (
	DefaultPageSize        = 500
	DefaultQueueSize       = 256
	DefaultPingInterval    = 30 * time.Second
	DefaultPingTimeout     = 10 * time.Second
	DefaultMaxConnsPerUser = 8
	DefaultReadLimit       = 4 << 10
	DefaultClockSkew       = time.Second
)

// RelayConfig configures a Relay. Zero durations and sizes take the defaults above.
type RelayConfig struct {
	// Bus delivers live events (required). Each connection holds one subscription, so give the
	// relay a bus whose subscriptions buffer few events (16 to 64): QueueSize already bounds what
	// a connection holds, and the buses' default buffer of 1024 events (about 112 KiB allocated
	// per subscription) would cost more than the rest of an idle connection several times over.
	Bus transport.Bus
	// Replayer gives stored events to resuming clients (required).
	Replayer Replayer
	// Authenticate returns the user a handshake request belongs to (required). An error whose
	// coach.ErrorCode is EUNAUTHORIZED is answered 401, EFORBIDDEN 403, EUNAVAILABLE 503, others
	// 500; nothing is upgraded.
	Authenticate func(r *http.Request) (userID string, err error)
	// OriginPatterns are the Origin hosts allowed besides the request's own host, matched like
	// websocket.AcceptOptions.OriginPatterns (path.Match, case-insensitive, "scheme://host" when a
	// pattern holds "://"). A request without an Origin header (not a browser) is allowed.
	OriginPatterns []string
	// Clock stamps the cursor of a connection opened without lastEventId (coach.SystemClock when
	// nil).
	Clock coach.Clock
	// ClockSkew is how far the store's clock may lag the relay's: the cursor of a fresh
	// connection is that far in the past, so resuming from it can repeat an event but never skip
	// one.
	ClockSkew time.Duration
	// Logger receives faults; nil discards them.
	Logger *slog.Logger
	// Metrics receives relay_connections_opened_total, relay_connections_closed_total,
	// relay_drops_total by reason and relay_delivery_seconds, the time from each live event's TS
	// to its write, by Clock (coach.MetricTable); nil means coach.NopMetrics.
	Metrics coach.Metrics
	// PageSize is the limit of each replay page.
	PageSize int
	// QueueSize bounds the live events a connection holds before they are written; one more
	// closes it with CloseTooSlow.
	QueueSize int
	// PingInterval is how often each connection is pinged; PingTimeout how long a pong may take
	// before the peer is dropped as dead.
	PingInterval, PingTimeout time.Duration
	// MaxConnsPerUser caps one user's connections on this relay; the next is closed with
	// CloseTooMany.
	MaxConnsPerUser int
	// ReadLimit bounds a client frame in bytes; a larger one is closed with 1009.
	ReadLimit int64
	// OnClose, when set, is called once per connection as it starts to close, with the close code
	// the relay sends (0 when it sends none: the peer left, broke the connection or stopped
	// answering pings) and a short reason. It must not block.
	OnClose func(userID string, code int, reason string)
}

// Relay is the http.Handler of /ws/coach: it authenticates the handshake, replays what the
// client missed and streams the user's live events (see the package documentation for the
// protocol). It is safe for concurrent use.
type Relay struct {
	cfg  RelayConfig
	done chan struct{} // closed by Shutdown and Close

	mu      sync.Mutex
	closing bool
	conns   map[*conn]struct{}
	perUser map[string]int
	wg      sync.WaitGroup
}

// NewRelay checks cfg, fills in its defaults and returns a Relay, or an EINVALID error naming the
// first missing or invalid field.
func NewRelay(cfg RelayConfig) (*Relay, error) {
	switch {
	case cfg.Bus == nil:
		return nil, coach.Errorf(coach.EINVALID, "ws: RelayConfig.Bus is required")
	case cfg.Replayer == nil:
		return nil, coach.Errorf(coach.EINVALID, "ws: RelayConfig.Replayer is required")
	case cfg.Authenticate == nil:
		return nil, coach.Errorf(coach.EINVALID, "ws: RelayConfig.Authenticate is required")
	}
	for _, f := range []struct {
		name string
		neg  bool
	}{
		{"PageSize", cfg.PageSize < 0}, {"QueueSize", cfg.QueueSize < 0}, {"PingInterval", cfg.PingInterval < 0},
		{"PingTimeout", cfg.PingTimeout < 0}, {"MaxConnsPerUser", cfg.MaxConnsPerUser < 0},
		{"ReadLimit", cfg.ReadLimit < 0}, {"ClockSkew", cfg.ClockSkew < 0},
	} {
		if f.neg {
			return nil, coach.Errorf(coach.EINVALID, "ws: RelayConfig.%s: negative", f.name)
		}
	}
	for _, p := range cfg.OriginPatterns {
		if _, err := path.Match(strings.ToLower(p), ""); err != nil {
			return nil, coach.Errorf(coach.EINVALID, "ws: RelayConfig.OriginPatterns: %q is malformed", p)
		}
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.PageSize, DefaultPageSize)
	def(&cfg.QueueSize, DefaultQueueSize)
	def(&cfg.MaxConnsPerUser, DefaultMaxConnsPerUser)
	defDur(&cfg.PingInterval, DefaultPingInterval)
	defDur(&cfg.PingTimeout, DefaultPingTimeout)
	defDur(&cfg.ClockSkew, DefaultClockSkew)
	if cfg.ReadLimit == 0 {
		cfg.ReadLimit = DefaultReadLimit
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
	cfg.OriginPatterns = append([]string(nil), cfg.OriginPatterns...)
	return &Relay{cfg: cfg, done: make(chan struct{}), conns: make(map[*conn]struct{}), perUser: make(map[string]int)}, nil
}

// errNotConstructed is what a Relay not built by NewRelay answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "ws: Relay not constructed; use ws.NewRelay")

func (r *Relay) constructed() bool { return r != nil && r.done != nil }

// ServeHTTP upgrades an authenticated handshake and returns; the relay serves the connection on
// goroutines of its own until it closes, and Shutdown and Close wait for them. A Relay not built
// by NewRelay answers 500.
func (r *Relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if !r.constructed() {
		http.Error(w, "relay not configured", http.StatusInternalServerError)
		return
	}
	if !originAllowed(req, r.cfg.OriginPatterns) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	userID, err := r.cfg.Authenticate(req)
	if err == nil && !coach.ValidID(userID) {
		err = coach.Errorf(coach.EINTERNAL, "ws relay: authenticate returned an invalid user id")
	}
	if err != nil {
		if coach.ErrorCode(err) == coach.EINTERNAL {
			r.cfg.Logger.ErrorContext(req.Context(), "ws relay: authenticate failed", "err", err)
		}
		http.Error(w, coach.ErrorMessage(err), handshakeStatus(err))
		return
	}
	last, status, msg := r.checkCursor(req.Context(), userID, req.URL.Query().Get("lastEventId"))
	if status != 0 {
		http.Error(w, msg, status)
		return
	}
	c, tooMany, ok := r.admit(userID)
	if !ok {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	wc, err := websocket.Accept(leanWriter{w}, req, &websocket.AcceptOptions{OriginPatterns: r.cfg.OriginPatterns})
	if err != nil {
		r.release(c)
		return // Accept answered the request
	}
	r.attach(c, wc)
	r.cfg.Metrics.Count(coach.MetricRelayConnsOpened, 1)
	if tooMany {
		r.cfg.Metrics.Count(coach.MetricRelayDrops, 1, "reason", "per_user_cap")
		c.close(CloseTooMany, "too many connections")
		r.cfg.Metrics.Count(coach.MetricRelayConnsClosed, 1)
		r.release(c)
		return
	}
	// The connection outlives this handler: net/http's goroutine, request and buffers are let go,
	// and the relay serves it on goroutines of its own (a fresh one, with a small stack, pumps).
	go func() {
		defer r.release(c)
		defer r.cfg.Metrics.Count(coach.MetricRelayConnsClosed, 1)
		c.serve(last)
	}()
}

// checkCursor validates a handshake's lastEventId and returns it in canonical form, or the HTTP
// status and message that refuse it. A cursor beyond the user's newest committed event is
// refused: no client can have been given it, and every live event up to it would be dropped as
// a repeat. For a user without events (none yet, or all pruned) the cursor can only be a fresh
// connection's, a time ClockSkew in the past, so one ahead of the relay's clock is refused.
func (r *Relay) checkCursor(ctx context.Context, userID, last string) (string, int, string) {
	if last == "" {
		return "", 0, ""
	}
	at, err := coach.EventIDTime(last)
	if err != nil {
		return "", http.StatusBadRequest, "lastEventId: not an event id"
	}
	last = strings.ToUpper(last)
	newest, err := r.cfg.Replayer.Newest(ctx, userID)
	switch {
	case coach.ErrorCode(err) == coach.ENOTFOUND:
		if at.After(r.cfg.Clock.Now()) {
			return "", http.StatusBadRequest, "lastEventId: in the future"
		}
	case err != nil:
		if coach.ErrorCode(err) == coach.EINTERNAL {
			r.cfg.Logger.ErrorContext(ctx, "ws relay: newest event", "err", err)
		}
		return "", handshakeStatus(err), coach.ErrorMessage(err)
	case last > strings.ToUpper(newest):
		return "", http.StatusBadRequest, "lastEventId: beyond the newest event"
	}
	return last, 0, ""
}

// Conns returns how many connections the relay holds.
func (r *Relay) Conns() int {
	if !r.constructed() {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.conns)
}

// Shutdown refuses new connections with 503, closes every open one with 1001 (going away) and
// waits for them to end. When ctx ends first it drops the rest without a close handshake and
// returns ctx's error.
func (r *Relay) Shutdown(ctx context.Context) error {
	if !r.constructed() {
		return errNotConstructed
	}
	r.stop()
	ended := make(chan struct{})
	go func() { r.wg.Wait(); close(ended) }()
	select {
	case <-ended:
		return nil
	case <-ctx.Done():
		r.dropAll()
		<-ended
		return ctx.Err()
	}
}

// Close drops every connection without a close handshake and waits for them to end.
func (r *Relay) Close() error {
	if !r.constructed() {
		return errNotConstructed
	}
	r.stop()
	r.dropAll()
	r.wg.Wait()
	return nil
}

func (r *Relay) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closing {
		r.closing = true
		close(r.done)
	}
}

func (r *Relay) dropAll() {
	r.mu.Lock()
	conns := make([]*conn, 0, len(r.conns))
	for c := range r.conns {
		conns = append(conns, c)
	}
	r.mu.Unlock()
	for _, c := range conns {
		c.drop()
	}
}

// admit registers a connection of userID; tooMany tells that the user is over the cap (the
// connection is still registered, to be closed with CloseTooMany after the upgrade); ok is false
// while shutting down.
func (r *Relay) admit(userID string) (c *conn, tooMany, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return nil, false, false
	}
	c = newConn(r, userID)
	r.perUser[userID]++
	r.wg.Add(1)
	return c, r.perUser[userID] > r.cfg.MaxConnsPerUser, true
}

// attach makes an upgraded connection reachable by Close.
func (r *Relay) attach(c *conn, wc *websocket.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c.ws = wc
	r.conns[c] = struct{}{}
}

func (r *Relay) release(c *conn) {
	r.mu.Lock()
	delete(r.conns, c)
	if r.perUser[c.userID]--; r.perUser[c.userID] <= 0 {
		delete(r.perUser, c.userID)
	}
	r.mu.Unlock()
	r.wg.Done()
}

// handshakeStatus maps an Authenticate error to the status of the refused handshake.
func handshakeStatus(err error) int {
	switch coach.ErrorCode(err) {
	case coach.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case coach.EFORBIDDEN:
		return http.StatusForbidden
	case coach.EINVALID:
		return http.StatusBadRequest
	case coach.ERATELIMITED:
		return http.StatusTooManyRequests
	case coach.EUNAVAILABLE, coach.ERETRYABLE, coach.ECANCELED:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// originAllowed applies websocket.Accept's Origin rule before authentication, so that a
// cross-site page never gets as far as the host's session check: no Origin (not a browser), the
// request's own host, or a host matching one of patterns.
func originAllowed(r *http.Request, patterns []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, p := range patterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target)); ok {
			return true
		}
	}
	return false
}
