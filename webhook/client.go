package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/tradecoach/coach"
)

// Client defaults.
const (
	DefaultTimeout = 15 * time.Second
	// MaxResponseBytes is how much of an answer a Client reads; the rest is dropped.
	MaxResponseBytes = 4 << 10
)

// Resolver looks up the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ClientConfig configures a Client.
type ClientConfig struct {
	// AllowLoopback is the test mode: plain http and loopback receivers are allowed (no other
	// non-public address ever is). Never set it in production.
	AllowLoopback bool
	// Resolver resolves host names; net.DefaultResolver when nil.
	Resolver Resolver
	// DialContext dials an address the Client has already checked ("ip:port"); a net.Dialer
	// whose Control checks the socket's address again when nil. Tests pass a fake.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSConfig is the TLS client configuration (tests give their server's roots); the system
	// roots when nil.
	TLSConfig *tls.Config
	// Timeout bounds one attempt, connection to answer; DefaultTimeout when 0.
	Timeout time.Duration
}

// Client sends signed deliveries. It resolves, checks and dials every address itself, never
// goes through a proxy, and follows no redirect.
type Client struct {
	hc            *http.Client
	resolver      Resolver
	dial          func(ctx context.Context, network, addr string) (net.Conn, error)
	allowLoopback bool
	timeout       time.Duration
}

// NewClient returns a Client, or EINVALID naming a field out of range.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.Timeout < 0 {
		return nil, coach.Errorf(coach.EINVALID, "webhook: ClientConfig.Timeout: negative")
	}
	c := &Client{resolver: cfg.Resolver, dial: cfg.DialContext, allowLoopback: cfg.AllowLoopback, timeout: cfg.Timeout}
	if c.resolver == nil {
		c.resolver = net.DefaultResolver
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.dial == nil {
		d := &net.Dialer{Timeout: c.timeout, Control: c.control}
		c.dial = d.DialContext
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us, past the check
		DialContext:           c.dialContext,
		TLSClientConfig:       cfg.TLSConfig,
		TLSHandshakeTimeout:   c.timeout,
		ResponseHeaderTimeout: c.timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c.hc = &http.Client{
		Transport: tr,
		Timeout:   c.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return c, nil
}

// control checks, just before connect, the address the socket is about to connect to.
func (c *Client) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return coach.Errorf(coach.EFORBIDDEN, "webhook: refused to dial an address that is not an IP")
	}
	return allowed(ap.Addr(), c.allowLoopback)
}

// dialContext resolves addr's host, checks every address, and dials the allowed ones in turn.
// The check is made here, on the addresses about to be dialled, so a name that resolved to a
// public address when the endpoint was saved and resolves to a private one now is refused.
func (c *Client) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "webhook: malformed address")
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = c.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, coach.WrapError(coach.EUNAVAILABLE, err, "webhook: the receiver's name does not resolve")
		}
	}
	var refused, last error
	for _, ip := range ips {
		if err := allowed(ip, c.allowLoopback); err != nil {
			refused = err
			continue
		}
		conn, err := c.dial(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		last = err
	}
	switch {
	case last != nil:
		if coach.ErrorCode(last) == coach.EFORBIDDEN {
			return nil, last
		}
		return nil, coach.WrapError(coach.EUNAVAILABLE, last, "webhook: the receiver cannot be reached")
	case refused != nil:
		return nil, refused
	}
	return nil, coach.Errorf(coach.EUNAVAILABLE, "webhook: the receiver's name has no address")
}

// Response is what a receiver answered.
type Response struct {
	// Status is the HTTP status.
	Status int
	// Excerpt is at most coach.MaxWebhookExcerptBytes of the answer's body, valid UTF-8.
	Excerpt string
}

// OK reports whether the answer accepts the delivery (a 2xx status).
func (r Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Post sends body to rawURL with the given headers and returns the receiver's answer. Errors:
// EINVALID or EFORBIDDEN for a URL CheckURL refuses, EFORBIDDEN for an address refused at dial
// time and for a redirect (not followed; the Response is returned with it), EUNAVAILABLE when
// the receiver cannot be reached or does not answer in time, ECANCELED when ctx ended.
func (c *Client) Post(ctx context.Context, rawURL string, headers map[string]string, body []byte) (Response, error) {
	if c == nil || c.hc == nil {
		return Response{}, coach.Errorf(coach.EINVALID, "webhook: Client not constructed; use webhook.NewClient")
	}
	u, err := CheckURL(rawURL, c.allowLoopback)
	if err != nil {
		return Response{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Response{}, coach.Errorf(coach.EINVALID, "webhook: url: malformed")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tradecoach-webhooks/1")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return Response{}, postError(ctx, err)
	}
	defer func() { _ = resp.Body.Close() }()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes))
	out := Response{Status: resp.StatusCode, Excerpt: excerpt(head)}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return out, coach.Errorf(coach.EFORBIDDEN, "webhook: the receiver redirected (status %d); redirects are not followed", resp.StatusCode)
	}
	return out, nil
}

// postError turns a failed request into a coded error: the dialer's own codes, ECANCELED for the
// caller's context, EUNAVAILABLE for the rest (timeouts, resets, TLS).
func postError(ctx context.Context, err error) error {
	var ce *coach.Error
	if errors.As(err, &ce) {
		return ce
	}
	if ctx.Err() != nil {
		return coach.WrapError(coach.ECANCELED, ctx.Err(), "webhook: canceled")
	}
	return coach.WrapError(coach.EUNAVAILABLE, err, "webhook: the receiver did not answer")
}

// excerpt returns the first bytes of b, cut to coach.MaxWebhookExcerptBytes on a rune boundary,
// with invalid UTF-8 replaced.
func excerpt(b []byte) string {
	s := strings.ToValidUTF8(string(b[:min(len(b), coach.MaxWebhookExcerptBytes)]), "\uFFFD")
	for len(s) > coach.MaxWebhookExcerptBytes {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}
