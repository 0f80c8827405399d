// Package coreclient is how the reference host's other stacks call core (S3): every request
// signed with the internal key (transport/hmac), acting for the user named in the signed
// subject, and core's error answers turned back into the coach errors they were. The edge and
// the web stack both call core through it.
package coreclient

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

// DefaultMaxAnswerBytes bounds an answer of core a Client reads when Config.MaxAnswerBytes is 0.
const DefaultMaxAnswerBytes = 1 << 20

// Config is what a Client needs.
type Config struct {
	// BaseURL is core's root, http or https, such as http://127.0.0.1:8083. Required.
	BaseURL string
	// Key signs every request. Required.
	Key hmac.Key
	// Transport sends the signed requests (serve.InProcess in one process); nil is
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Caller names the calling stack ("edge", "web") in the errors a Client returns.
	Caller string
	// MaxAnswerBytes bounds an answer's body (DefaultMaxAnswerBytes when 0); a longer one is
	// EUNAVAILABLE.
	MaxAnswerBytes int64
}

// Client calls core. Build it with New; it is safe for concurrent use. Redirects are not
// followed: core's API answers none a caller should chase.
type Client struct {
	base   *url.URL
	http   *http.Client
	signer *hmac.Signer
	caller string
	max    int64
}

// New returns a Client, or an EINVALID error naming the first missing or invalid field of cfg.
// It signs with the wall clock: core checks timestamps against its own.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "":
		return nil, coach.Errorf(coach.EINVALID, "coreclient: Config.BaseURL: want a base URL such as http://127.0.0.1:8083")
	case cfg.MaxAnswerBytes < 0:
		return nil, coach.Errorf(coach.EINVALID, "coreclient: Config.MaxAnswerBytes must not be negative")
	}
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: cfg.Key, Next: cfg.Transport})
	if err != nil {
		return nil, err
	}
	c := &Client{base: u, signer: signer, caller: cfg.Caller, max: cfg.MaxAnswerBytes,
		http: &http.Client{Transport: signer, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if c.caller == "" {
		c.caller = "caller"
	}
	if c.max == 0 {
		c.max = DefaultMaxAnswerBytes
	}
	return c, nil
}

// BaseURL returns a copy of core's root (an empty URL from a Client not built by New).
func (c *Client) BaseURL() *url.URL {
	if c == nil || c.base == nil {
		return &url.URL{}
	}
	u := *c.base
	return &u
}

// Signer returns the RoundTripper that signs the Client's requests, for a caller that also
// proxies requests to core (nil from a Client not built by New).
func (c *Client) Signer() *hmac.Signer {
	if c == nil {
		return nil
	}
	return c.signer
}

// Call sends in (when not nil) as JSON; see Send.
func (c *Client) Call(ctx context.Context, subject, method, path string, in, out any) error {
	if c == nil || c.http == nil {
		return coach.Errorf(coach.EINVALID, "coreclient: Client not constructed; use coreclient.New")
	}
	if in == nil {
		return c.Send(ctx, subject, method, path, "", nil, out)
	}
	b, err := json.Marshal(in)
	if err != nil {
		return errors.Wrapf(err, "%s: encode a call to core", c.caller)
	}
	return c.Send(ctx, subject, method, path, "application/json", bytes.NewReader(b), out)
}

// Send sends a signed request of body (of contentType; none when "") to path, acting for subject
// ("" for nobody), and decodes a 2xx answer into out (when not nil). An error answer of core
// comes back as the coach error of its code and message, its field errors as
// httpjson.FieldErrors; core refusing the caller's own signature is EINTERNAL (a fault of the
// deployment's keys or clocks, never the user's); a core that cannot be reached, or whose answer
// breaks off or passes MaxAnswerBytes, is EUNAVAILABLE.
func (c *Client) Send(ctx context.Context, subject, method, path, contentType string, body io.Reader, out any) error {
	if c == nil || c.http == nil {
		return coach.Errorf(coach.EINVALID, "coreclient: Client not constructed; use coreclient.New")
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return errors.Wrapf(err, "%s: build a call to core", c.caller)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if subject != "" {
		req.Header.Set(hmac.HeaderSubject, subject)
	}
	res, err := c.http.Do(req)
	if err != nil {
		if cerr, ok := coach.ContextError(ctx.Err()); ok {
			return cerr
		}
		return coach.WrapError(coach.EUNAVAILABLE, err, "core is unreachable")
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, c.max+1))
	if err != nil || int64(len(raw)) > c.max {
		return coach.Errorf(coach.EUNAVAILABLE, "core's answer to %s %s broke off or is over %d bytes", method, ClipPath(path), c.max)
	}
	if res.StatusCode == http.StatusUnauthorized && strings.Contains(string(raw), `"reason"`) {
		return coach.Errorf(coach.EINTERNAL, "core refused the %s's signature on %s %s: %s", c.caller, method, ClipPath(path), ClipPath(string(raw)))
	}
	if res.StatusCode >= 300 {
		var b httpjson.Body
		if json.Unmarshal(raw, &b) != nil || b.Code == "" {
			return coach.Errorf(coach.EINTERNAL, "core answered %d to %s %s", res.StatusCode, method, ClipPath(path))
		}
		if len(b.Fields) > 0 {
			return httpjson.FieldErrors(b.Fields)
		}
		return &coach.Error{Code: b.Code, Message: b.Message}
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return errors.Wrapf(err, "%s: decode core's answer to %s %s", c.caller, method, ClipPath(path))
		}
	}
	return nil
}

// ClipPath keeps a path short for an error message and drops its query (which may hold an
// email).
func ClipPath(p string) string {
	p, _, _ = strings.Cut(p, "?")
	if len(p) > 64 {
		return p[:64] + "…"
	}
	return p
}
