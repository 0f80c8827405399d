package edge

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/coreclient"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

// maxCoreAnswer bounds an answer of core the edge reads itself (not one it passes on).
const maxCoreAnswer = 1 << 20

// coreClient calls core with requests signed by the internal key, and proxies to it.
type coreClient struct{ *coreclient.Client }

// newCoreClient signs with the wall clock (core checks timestamps against its own), whatever clock
// the edge runs its sessions and limits on.
func newCoreClient(base string, key []byte, rt http.RoundTripper) (*coreClient, error) {
	c, err := coreclient.New(coreclient.Config{BaseURL: base, Key: hmac.NewKey(KeyID, key), Transport: rt, Caller: "edge",
		MaxAnswerBytes: maxCoreAnswer})
	if err != nil {
		return nil, err
	}
	return &coreClient{c}, nil
}

// call sends in (when not nil) as JSON acting for subject ("" for nobody) and decodes a 2xx
// answer into out (when not nil); see coreclient.Client.Send for the errors.
func (c *coreClient) call(ctx context.Context, subject, method, path string, in, out any) error {
	return c.Call(ctx, subject, method, path, in, out)
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
func (c *coreClient) proxy(log *slog.Logger) http.Handler {
	return forward(c.BaseURL(), c.Signer(), log, nil)
}
