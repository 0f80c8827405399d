package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

// maxCoreAnswer bounds an answer of core the edge reads itself (not one it passes on).
const maxCoreAnswer = 1 << 20

// coreClient calls core with requests signed by the internal key.
type coreClient struct {
	base   *url.URL
	client *http.Client
	signer *hmac.Signer
}

// newCoreClient signs with the wall clock (core checks timestamps against its own), whatever clock
// the edge runs its sessions and limits on.
func newCoreClient(base string, key []byte, rt http.RoundTripper) (*coreClient, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, coach.Errorf(coach.EINVALID, "edge: want a base URL such as http://127.0.0.1:8083")
	}
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: hmac.NewKey(KeyID, key), Next: rt})
	if err != nil {
		return nil, err
	}
	return &coreClient{base: u, client: &http.Client{Transport: signer}, signer: signer}, nil
}

// call sends a signed JSON request acting for subject ("" for nobody) and decodes a 2xx answer
// into out (when not nil). An error answer of core comes back as a coach error of its code and
// message; a core that cannot be reached is EUNAVAILABLE.
func (c *coreClient) call(ctx context.Context, subject, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return errors.Wrap(err, "edge: encode a call to core")
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return errors.Wrap(err, "edge: build a call to core")
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if subject != "" {
		req.Header.Set(hmac.HeaderSubject, subject)
	}
	res, err := c.client.Do(req)
	if err != nil {
		if cerr, ok := coach.ContextError(ctx.Err()); ok {
			return cerr
		}
		return coach.WrapError(coach.EUNAVAILABLE, err, "core is unreachable")
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxCoreAnswer))
	if err != nil {
		return coach.WrapError(coach.EUNAVAILABLE, err, "core's answer was cut short")
	}
	if res.StatusCode == http.StatusUnauthorized && res.Header.Get("Content-Type") != "" && strings.Contains(string(raw), `"reason"`) {
		// Core refused the edge's own signature: a fault of the deployment (keys or clocks), never
		// the caller's.
		return coach.Errorf(coach.EINTERNAL, "core refused the edge's signature on %s %s: %s", method, clipPath(path), clipPath(string(raw)))
	}
	if res.StatusCode >= 300 {
		var b httpjson.Body
		if json.Unmarshal(raw, &b) != nil || b.Code == "" {
			return coach.Errorf(coach.EINTERNAL, "core answered %d to %s %s", res.StatusCode, method, clipPath(path))
		}
		return &coach.Error{Code: b.Code, Message: b.Message}
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return errors.Wrapf(err, "edge: decode core's answer to %s %s", method, clipPath(path))
		}
	}
	return nil
}

// clipPath keeps a path short for an error message and drops its query (which may hold an
// email).
func clipPath(p string) string {
	p, _, _ = strings.Cut(p, "?")
	if len(p) > 64 {
		return p[:64] + "…"
	}
	return p
}

// edgeHeaders are request headers that are the edge's alone: never passed on.
var edgeHeaders = []string{"Cookie", "Authorization", csrfHeader, idempotencyHeader}

// forward returns a reverse proxy to base that signs each request with signer, naming the
// request's user (set by withSession) in the subject, and a page's CSRF token (with its MAC under
// key) when the page set one. Whatever the client sent as internal
// headers (hmac's, X-Forwarded-*) is dropped first; the answer loses the headers the edge owns, so
// the edge's own values stand.
func forward(base *url.URL, signer *hmac.Signer, log *slog.Logger, key []byte) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(base)
			pr.Out.Host = ""
			for name := range pr.Out.Header {
				if strings.HasPrefix(strings.ToLower(name), "x-coach-") {
					pr.Out.Header.Del(name)
				}
			}
			for _, name := range edgeHeaders {
				pr.Out.Header.Del(name)
			}
			subject := ""
			if s, ok := sessionOf(pr.In.Context()); ok {
				subject = s.UserID
				pr.Out.Header.Set(hmac.HeaderSubject, subject)
			}
			if tok, ok := pr.In.Context().Value(pageCSRFKey{}).(string); ok {
				pr.Out.Header.Set(webCSRFHeader, tok)
				pr.Out.Header.Set(webCSRFMACHeader, webCSRFMAC(key, subject, tok))
			}
		},
		Transport: signer,
		ModifyResponse: func(res *http.Response) error {
			for name := range securityHeaders {
				res.Header.Del(name)
			}
			res.Header.Del("Set-Cookie")
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			code := coach.EUNAVAILABLE
			if r.Context().Err() != nil {
				code = coach.ECANCELED
			}
			log.WarnContext(r.Context(), "upstream unreachable", "path", r.URL.Path, "err", err)
			httpjson.WriteError(w, r, log, coach.Errorf(code, "the service is unavailable; try again"))
		},
	}
}

// proxy passes the request to core.
func (c *coreClient) proxy(log *slog.Logger) http.Handler { return forward(c.base, c.signer, log, nil) }
