package ws

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/tradecoach/coach"
)

// Client defaults.
const (
	DefaultMinBackoff      = 100 * time.Millisecond
	DefaultMaxBackoff      = 15 * time.Second
	DefaultIdleTimeout     = 2*DefaultPingInterval + DefaultPingTimeout
	DefaultClientReadLimit = 64 << 10
)

// ClientConfig configures a Client. Zero durations and sizes take the defaults above.
type ClientConfig struct {
	// URL is the relay's endpoint, ws://, wss://, http:// or https:// (required).
	URL string
	// Header is sent with every handshake: the credentials Authenticate expects, and an Origin if
	// the relay wants one.
	Header http.Header
	// HTTPClient performs the handshakes (http.DefaultClient when nil).
	HTTPClient *http.Client
	// LastEventID is the id of the last event the caller already has; "" starts at live events.
	LastEventID string
	// MinBackoff and MaxBackoff bound the jittered, doubling wait between failed connections.
	MinBackoff, MaxBackoff time.Duration
	// IdleTimeout drops a connection on which nothing (not even a ping) arrived for that long.
	IdleTimeout time.Duration
	// ReadLimit bounds a frame from the relay, in bytes.
	ReadLimit int64
	// OnReady, when set, is called each time a connection has replayed what was missed and
	// switched to live events.
	OnReady func()
	// OnDisconnect, when set, is called after each connection or failed attempt, with the close
	// code the relay sent (-1 if none) and the error as Run classifies it.
	OnDisconnect func(code int, err error)
}

// Client follows a user's events through the relay: it reconnects with backoff and resumes from
// the last event it delivered, so that each event reaches the handler exactly once and in id
// order. It is safe for concurrent use, but Run must not be called twice at the same time.
type Client struct {
	cfg ClientConfig
	u   *url.URL

	mu     sync.Mutex
	last   string // the last event delivered (or configured)
	cursor string // where the current stream starts when nothing was delivered yet
}

// NewClient checks cfg and returns a Client, or an EINVALID error naming the first invalid field.
// It does not connect: Run does.
func NewClient(cfg ClientConfig) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, coach.Errorf(coach.EINVALID, "ws: ClientConfig.URL: %q is not absolute", cfg.URL)
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
	default:
		return nil, coach.Errorf(coach.EINVALID, "ws: ClientConfig.URL: scheme %q is not ws, wss, http or https", u.Scheme)
	}
	if cfg.LastEventID != "" {
		if _, err := coach.EventIDTime(cfg.LastEventID); err != nil {
			return nil, coach.Errorf(coach.EINVALID, "ws: ClientConfig.LastEventID: not an event id")
		}
	}
	for _, f := range []struct {
		name string
		neg  bool
	}{{"MinBackoff", cfg.MinBackoff < 0}, {"MaxBackoff", cfg.MaxBackoff < 0}, {"IdleTimeout", cfg.IdleTimeout < 0}, {"ReadLimit", cfg.ReadLimit < 0}} {
		if f.neg {
			return nil, coach.Errorf(coach.EINVALID, "ws: ClientConfig.%s: negative", f.name)
		}
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.MinBackoff)
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		return nil, coach.Errorf(coach.EINVALID, "ws: ClientConfig.MaxBackoff: below MinBackoff")
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.ReadLimit == 0 {
		cfg.ReadLimit = DefaultClientReadLimit
	}
	return &Client{cfg: cfg, u: u, last: strings.ToUpper(cfg.LastEventID)}, nil
}

// LastEventID returns the id of the last event delivered to the handler (or the configured one).
func (c *Client) LastEventID() string {
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Run delivers the user's events to handle, one at a time, in id order, each once, reconnecting
// as needed, until ctx ends (ECANCELED wrapping ctx's error), handle fails (its error, unchanged; the event is
// offered again by the next Run) or the relay refuses for good: EGONE when the last event is
// past retention (reload state, then use a new Client), EUNAUTHORIZED or EFORBIDDEN when the
// handshake is refused, EINVALID when the relay calls the client's frames a policy violation.
// Other failures (a restart, 4408 too slow, 4429 too many, a lost network) are retried.
func (c *Client) Run(ctx context.Context, handle func(context.Context, coach.Envelope) error) error {
	switch {
	case c == nil || c.u == nil:
		return coach.Errorf(coach.EINVALID, "ws: Client not constructed; use ws.NewClient")
	case handle == nil:
		return coach.Errorf(coach.EINVALID, "ws: Client.Run: handle is required")
	}
	backoff := time.Duration(0)
	for {
		ready, err := c.connect(ctx, handle)
		var h handlerError
		switch {
		case ctx.Err() != nil:
			return canceled(ctx)
		case errors.As(err, &h):
			return h.err
		}
		switch coach.ErrorCode(err) {
		case coach.EGONE, coach.EUNAUTHORIZED, coach.EFORBIDDEN, coach.EINVALID:
			return err
		}
		if ready {
			backoff = c.cfg.MinBackoff
		} else {
			backoff = min(max(2*backoff, c.cfg.MinBackoff), c.cfg.MaxBackoff)
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return canceled(ctx)
		case <-t.C:
		}
	}
}

// handlerError carries the handler's own error out of connect.
type handlerError struct{ err error }

func (h handlerError) Error() string { return h.err.Error() }

// connect runs one connection and reports whether it reached the ready frame.
func (c *Client) connect(ctx context.Context, handle func(context.Context, coach.Envelope) error) (ready bool, err error) {
	code := -1
	defer func() {
		if f := c.cfg.OnDisconnect; f != nil {
			f(code, err)
		}
	}()
	// The relay's pings keep the connection alive too; they are answered inside Read.
	var idle atomic.Pointer[time.Timer]
	conn, resp, err := websocket.Dial(ctx, c.dialURL(), &websocket.DialOptions{
		HTTPClient: c.cfg.HTTPClient,
		HTTPHeader: c.cfg.Header,
		OnPingReceived: func(context.Context, []byte) bool {
			if t := idle.Load(); t != nil {
				t.Reset(c.cfg.IdleTimeout)
			}
			return true
		},
	})
	if err != nil {
		return false, dialError(resp, err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(c.cfg.ReadLimit)
	idle.Store(time.AfterFunc(c.cfg.IdleTimeout, func() { _ = conn.CloseNow() }))
	defer idle.Load().Stop()
	for {
		typ, b, err := conn.Read(ctx)
		if err != nil {
			code = int(websocket.CloseStatus(err))
			return ready, closeError(code, err)
		}
		idle.Load().Reset(c.cfg.IdleTimeout)
		if typ != websocket.MessageText {
			_ = conn.Close(websocket.StatusUnsupportedData, "text frames only") // the error below is the outcome
			return ready, coach.Errorf(coach.EUNAVAILABLE, "ws client: the relay sent a binary frame")
		}
		f, err := ParseServerFrame(b)
		if err != nil {
			_ = conn.Close(websocket.StatusPolicyViolation, "malformed frame") // the error below is the outcome
			return ready, coach.Errorf(coach.EUNAVAILABLE, "ws client: the relay sent a malformed frame: %s", coach.ErrorMessage(err))
		}
		switch {
		case f.IsEvent():
			if err := c.deliver(ctx, f.Envelope(), handle); err != nil {
				return ready, handlerError{err}
			}
		case f.Type == FrameReady:
			c.mu.Lock()
			if c.last == "" {
				c.cursor = f.LastEventID
			}
			c.mu.Unlock()
			ready = true
			if c.cfg.OnReady != nil {
				c.cfg.OnReady()
			}
		case f.Type == FrameGone:
			code = CloseGone
			return ready, coach.Errorf(coach.EGONE, "events after %s are past retention; reload", c.LastEventID())
		}
	}
}

// deliver hands e to handle unless it was delivered already.
func (c *Client) deliver(ctx context.Context, e coach.Envelope, handle func(context.Context, coach.Envelope) error) error {
	if last := c.LastEventID(); last != "" && e.EventID <= last {
		return nil
	}
	if err := handle(ctx, e); err != nil {
		return err
	}
	c.mu.Lock()
	c.last = e.EventID
	c.mu.Unlock()
	return nil
}

// dialURL is the relay URL with the resume cursor.
func (c *Client) dialURL() string {
	c.mu.Lock()
	from := c.last
	if from == "" {
		from = c.cursor
	}
	c.mu.Unlock()
	u := *c.u
	q := u.Query()
	q.Del("lastEventId")
	if from != "" {
		q.Set("lastEventId", from)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// dialError classifies a failed handshake: refusals that retrying cannot fix are final.
func dialError(resp *http.Response, err error) error {
	if resp == nil {
		return coach.WrapError(coach.EUNAVAILABLE, err, "ws client: cannot reach the relay")
	}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized:
		return coach.Errorf(coach.EUNAUTHORIZED, "ws client: the relay refused the credentials")
	case s == http.StatusForbidden:
		return coach.Errorf(coach.EFORBIDDEN, "ws client: the relay refused the handshake (origin or permission)")
	case s == http.StatusTooManyRequests:
		return coach.Errorf(coach.ERATELIMITED, "ws client: rate limited")
	case s >= 400 && s < 500 && s != http.StatusRequestTimeout:
		return coach.Errorf(coach.EINVALID, "ws client: the relay refused the handshake with status %d", s)
	}
	return coach.Errorf(coach.EUNAVAILABLE, "ws client: handshake failed with status %d", resp.StatusCode)
}

// canceled is Run's error when ctx ended: ECANCELED wrapping ctx's error.
func canceled(ctx context.Context) error {
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return ce
	}
	return ctx.Err()
}

// closeError classifies the end of a connection by its close code.
func closeError(code int, err error) error {
	switch code {
	case CloseGone:
		return coach.Errorf(coach.EGONE, "ws client: events past retention; reload")
	case CloseTooMany:
		return coach.Errorf(coach.ERATELIMITED, "ws client: too many connections for this user")
	case int(websocket.StatusPolicyViolation):
		return coach.Errorf(coach.EINVALID, "ws client: the relay reports a policy violation")
	case -1:
		return coach.WrapError(coach.EUNAVAILABLE, err, "ws client: connection lost")
	}
	return coach.Errorf(coach.EUNAVAILABLE, "ws client: the relay closed the connection with %d", code)
}
