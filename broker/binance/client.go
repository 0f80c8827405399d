package binance

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/internal/wire"
)

// maxBody bounds the bytes read from one answer; 1000 trades are well under 1 MiB.
const maxBody = 16 << 20

// Client talks to Binance Spot for one API key (or, without one, for public klines). It is safe
// for concurrent use.
type Client struct {
	cfg    Config
	base   string
	offset atomic.Int64 // Binance's clock minus ours, in ms, learned on -1021

	wmu    sync.Mutex
	used   int       // request weight used in minute, as last reported or reserved
	minute time.Time // the weight minute, by Binance's clock
}

var (
	_ broker.Broker     = (*Client)(nil)
	_ broker.MarketData = (*Client)(nil)
)

// errNotConstructed is what a Client not built by New answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "binance: Client not constructed; use binance.New")

func (c *Client) constructed() bool { return c != nil && c.base != "" }

// New returns a Client for cfg with defaults applied, or EINVALID naming the first bad field.
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/")}, nil
}

// Name returns "binance".
func (c *Client) Name() string { return coach.BrokerBinance }

// request is one REST call.
type request struct {
	path string
	// params are sent in this order; a signed request appends recvWindow, timestamp and signature.
	params []param
	signed bool
	// weight is the request weight Binance charges for the call.
	weight int
	// decode gets the body of a 2xx answer.
	decode func([]byte) error
}

// do sends r: waiting for weight when near the limit, retrying with bounded backoff on 429, 418,
// 5xx and network errors (honoring Retry-After), and once after syncing with Binance's clock when
// it refuses a signed request's timestamp (-1021).
func (c *Client) do(ctx context.Context, r request) error {
	if r.signed && c.cfg.APIKey == "" {
		return coach.Errorf(coach.EINVALID, "binance: this call needs an API key and secret")
	}
	synced := false
	for attempt := 1; ; attempt++ {
		if err := c.awaitWeight(ctx, r.weight); err != nil {
			return ended(ctx, err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+r.path+"?"+c.query(r), nil)
		if err != nil {
			return coach.Errorf(coach.EINVALID, "binance: cannot build the request")
		}
		req.Header.Set("Accept", "application/json")
		if r.signed {
			req.Header.Set("X-MBX-APIKEY", c.cfg.APIKey)
		}
		status, header, data, err := wire.ReadAnswer(c.cfg.HTTPClient, req, maxBody)
		if err != nil {
			if ctx.Err() != nil {
				return ended(ctx, nil)
			}
			if attempt >= c.cfg.MaxAttempts {
				return coach.Errorf(coach.EUNAVAILABLE, "binance is unreachable after %d attempts; try again later", attempt)
			}
			if err := c.cfg.Sleep(ctx, wire.Backoff(c.cfg.BaseDelay, c.cfg.MaxDelay, attempt)); err != nil {
				return ended(ctx, err)
			}
			continue
		}
		c.noteWeight(ctx, header)
		switch {
		case status >= 200 && status < 300:
			return r.decode(data)
		case r.signed && !synced && isCode(data, codeInvalidTimestamp):
			synced = true
			if err := c.SyncClock(ctx); err != nil {
				return err
			}
			attempt--
		case status == http.StatusTooManyRequests || status == http.StatusTeapot || status >= 500:
			wait := wire.RetryWait(header, c.cfg.Clock.Now(), c.cfg.BaseDelay, c.cfg.MaxDelay, attempt)
			if status != http.StatusTooManyRequests && status != http.StatusTeapot {
				// A 5xx says nothing about the IP's weight: only this request waits.
				if attempt >= c.cfg.MaxAttempts || wait > c.cfg.MaxDelay {
					return formatError(status, data, c.secrets())
				}
				if err := c.cfg.Sleep(ctx, wait); err != nil {
					return ended(ctx, err)
				}
				continue
			}
			// A 429 or 418 is about the IP: with a shared Budget every client waits out the
			// Retry-After (the next awaitWeight waits on the pause), even when this one gives up.
			shared, err := c.pauseBudget(ctx, wait)
			if err != nil {
				return ended(ctx, err)
			}
			if attempt >= c.cfg.MaxAttempts || wait > c.cfg.MaxDelay {
				return formatError(status, data, c.secrets())
			}
			if !shared {
				if err := c.cfg.Sleep(ctx, wait); err != nil {
					return ended(ctx, err)
				}
			}
		default:
			return formatError(status, data, c.secrets())
		}
	}
}

func isCode(body []byte, code int) bool {
	e, ok := parseError(body)
	return ok && e.Code == code
}

// secrets lists what must never appear in an error.
func (c *Client) secrets() []string { return []string{c.cfg.APIKey, c.cfg.SecretKey.Reveal()} }

// String describes the client by its configuration, without its keys.
func (c *Client) String() string {
	if c == nil {
		return "binance.Client(nil)"
	}
	return "binance.Client{" + c.cfg.String() + "}"
}

// Format writes String for every verb and flag.
func (c *Client) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, c.String())
	}
}

// LogValue makes log/slog record the client without its keys.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// now is Binance's time by our Clock and the learned offset.
func (c *Client) now() time.Time {
	return c.cfg.Clock.Now().Add(time.Duration(c.offset.Load()) * time.Millisecond)
}

// SyncClock reads Binance's clock (GET /api/v3/time) and sets the offset that signed requests'
// timestamps are corrected by. Fills calls it by itself when Binance refuses a timestamp.
func (c *Client) SyncClock(ctx context.Context) error {
	if !c.constructed() {
		return errNotConstructed
	}
	before := c.cfg.Clock.Now()
	var st struct {
		ServerTime int64 `json:"serverTime"`
	}
	err := c.do(ctx, request{path: "/api/v3/time", weight: 1, decode: func(b []byte) error {
		if err := unmarshal(b, &st); err != nil || st.ServerTime <= 0 {
			return malformed("server time")
		}
		return nil
	}})
	if err != nil {
		return err
	}
	after := c.cfg.Clock.Now()
	local := before.Add(after.Sub(before) / 2)
	c.offset.Store(st.ServerTime - local.UnixMilli())
	return nil
}
