package coinbase

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/internal/wire"
)

// maxBody bounds the bytes read from one answer; a page of 1000 fills is well under 1 MiB.
const maxBody = 16 << 20

// Client talks to Coinbase for one connection (or, without Tokens, for linking and public
// candles). It is safe for concurrent use.
type Client struct {
	cfg   Config
	base  string
	oauth *oauth2.Config

	mu      sync.Mutex    // guards tok and retired, and serializes refreshes
	tok     *oauth2.Token // nil until first loaded from cfg.Tokens
	retired []string      // tokens replaced by refreshes, still kept out of errors
}

var (
	_ broker.Broker     = (*Client)(nil)
	_ broker.MarketData = (*Client)(nil)
)

// errNotConstructed is what a Client not built by New answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "coinbase: Client not constructed; use coinbase.New")

func (c *Client) constructed() bool { return c != nil && c.base != "" }

// New returns a Client for cfg with defaults applied, or EINVALID naming the first bad field.
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Client{
		cfg:  cfg,
		base: strings.TrimRight(cfg.BaseURL, "/"),
		oauth: &oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret.Reveal(),
			Endpoint:     oauth2.Endpoint{AuthURL: cfg.AuthURL, TokenURL: cfg.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
			RedirectURL:  cfg.RedirectURL,
			Scopes:       cfg.Scopes,
		},
	}, nil
}

// String describes the client by its configuration, without secrets or tokens.
func (c *Client) String() string {
	if c == nil {
		return "coinbase.Client(nil)"
	}
	return "coinbase.Client{" + c.cfg.String() + "}"
}

// Format writes String for every verb and flag: the client's tokens and secret never print.
func (c *Client) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, c.String())
	}
}

// LogValue makes log/slog record the client without secrets or tokens.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Name returns "coinbase".
func (c *Client) Name() string { return coach.BrokerCoinbase }

// secrets lists every secret the Client knows, to be kept out of error messages.
func (c *Client) secrets(extra ...string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := append([]string{c.cfg.ClientSecret.Reveal()}, extra...)
	s = append(s, c.retired...)
	if c.tok != nil {
		s = append(s, c.tok.AccessToken, c.tok.RefreshToken)
	}
	return s
}

// call is one API request.
type call struct {
	method, url string
	// form, when not nil, is sent as an urlencoded body.
	form url.Values
	// auth sends the connection's access token, refreshed once after a 401.
	auth bool
	// bearer, when set, is sent as the access token instead (no refresh).
	bearer string
	// decode gets the body of a 2xx answer; nil ignores it.
	decode func([]byte) error
}

// do sends r, retrying on 429, 5xx and network errors with bounded backoff (honoring
// Retry-After), and once after a 401 with a refreshed access token when r.auth is set.
func (c *Client) do(ctx context.Context, r call) error {
	refreshed := false
	for attempt := 1; ; attempt++ {
		var body io.Reader
		if r.form != nil {
			body = strings.NewReader(r.form.Encode())
		}
		req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
		if err != nil {
			return coach.Errorf(coach.EINVALID, "coinbase: cannot build the request")
		}
		req.Header.Set("Accept", "application/json")
		if r.form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		access := r.bearer
		if r.auth {
			if access, err = c.accessToken(ctx); err != nil {
				if ce, ok := coach.ContextError(err); ok { // a TokenStore's bare context error
					return ce
				}
				return err
			}
		}
		if access != "" {
			req.Header.Set("Authorization", "Bearer "+access)
		}
		status, header, data, err := wire.ReadAnswer(c.cfg.HTTPClient, req, maxBody)
		if err != nil {
			if ctx.Err() != nil {
				return ended(ctx, nil)
			}
			if attempt >= c.cfg.MaxAttempts {
				return coach.Errorf(coach.EUNAVAILABLE, "coinbase is unreachable after %d attempts; try again later", attempt)
			}
			if err := c.cfg.Sleep(ctx, wire.Backoff(c.cfg.BaseDelay, c.cfg.MaxDelay, attempt)); err != nil {
				return ended(ctx, err)
			}
			continue
		}
		switch {
		case status >= 200 && status < 300:
			if r.decode == nil {
				return nil
			}
			return r.decode(data)
		case status == http.StatusUnauthorized && r.auth && !refreshed:
			refreshed = true
			if err := c.refreshAfterReject(ctx, access); err != nil {
				return err
			}
			attempt--
		case status == http.StatusTooManyRequests || status >= 500:
			wait := wire.RetryWait(header, c.cfg.Clock.Now(), c.cfg.BaseDelay, c.cfg.MaxDelay, attempt)
			if attempt >= c.cfg.MaxAttempts || wait > c.cfg.MaxDelay {
				return formatError(status, data, c.secrets(r.bearer))
			}
			if err := c.cfg.Sleep(ctx, wait); err != nil {
				return ended(ctx, err)
			}
		default:
			return formatError(status, data, c.secrets(r.bearer))
		}
	}
}

// apiURL returns the URL of an Advanced Trade path with query q.
func (c *Client) apiURL(path string, q url.Values) string {
	u := c.base + "/api/v3/brokerage" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// ServerTime returns Coinbase's clock (public GET /time), to tell a skewed local clock.
func (c *Client) ServerTime(ctx context.Context) (time.Time, error) {
	if !c.constructed() {
		return time.Time{}, errNotConstructed
	}
	var t time.Time
	err := c.do(ctx, call{method: http.MethodGet, url: c.apiURL("/time", nil), decode: func(b []byte) error {
		var body struct {
			EpochMillis string `json:"epochMillis"`
		}
		if json.Unmarshal(b, &body) != nil {
			return malformed("server time")
		}
		ms, err := strconv.ParseInt(body.EpochMillis, 10, 64)
		if err != nil || ms <= 0 {
			return malformed("server time")
		}
		t = time.UnixMilli(ms).UTC()
		return nil
	}})
	return t, err
}
