package edge

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

// placeholder is the page answered until a web stack is configured: no script, no style.
const placeholder = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tradecoach</title></head>
<body><h1>tradecoach</h1><p>%s</p></body></html>
`

// page answers a request outside the API: a GET or HEAD goes to the web stack with the user (if
// signed in) in the signed subject and the CSRF token its forms carry; a POST under /app (a
// page's form) goes there too for a signed-in user, after their rate limit and the form's
// idempotency key (a visitor is sent to /signin); anything else is not_found.
func (e *Edge) page(w http.ResponseWriter, r *http.Request) {
	appForm := r.Method == http.MethodPost && (r.URL.Path == "/app" || strings.HasPrefix(r.URL.Path, "/app/"))
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !(appForm && e.web != nil) {
		httpjson.WriteError(w, r, nil, coach.Errorf(coach.ENOTFOUND, "no such route"))
		return
	}
	if e.web != nil {
		if !strings.HasPrefix(r.URL.Path, "/static/") { // an asset is the same for everyone: no cookie, no token
			r = r.WithContext(context.WithValue(r.Context(), pageCSRFKey{}, e.pageCSRF(w, r)))
		}
		if appForm {
			if _, ok := sessionOf(r.Context()); !ok {
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			e.limitUser(e.idempotent(e.web)).ServeHTTP(w, r)
			return
		}
		e.web.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	status, text := http.StatusNotFound, "This page does not exist."
	if r.URL.Path == "/" {
		status, text = http.StatusOK, "The web app is not served here yet; the API is at /openapi.yaml."
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(strings.Replace(placeholder, "%s", text, 1)))
}

// Internal headers of a page request: the CSRF token for the page's forms and, for a web stack
// in another process, its MAC (web.CSRFMAC) under the internal key, bound to the signed subject.
const (
	webCSRFHeader    = "X-Coach-Csrf"
	webCSRFMACHeader = "X-Coach-Csrf-Mac"
)

type pageCSRFKey struct{}

// pageCSRF is the CSRF token a page's forms carry: the session's, or a visitor's bound to their
// pre-session cookie (set now when they have none).
func (e *Edge) pageCSRF(w http.ResponseWriter, r *http.Request) string {
	if s, ok := sessionOf(r.Context()); ok {
		return e.csrfFor(s.TokenHash)
	}
	if c, err := r.Cookie(CSRFCookie); err == nil && ParseToken(c.Value) {
		return e.csrfForVisitor(c.Value)
	}
	pre := newToken()
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: pre, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return e.csrfForVisitor(pre)
}

// webCSRFMAC is web.CSRFMAC: HMAC-SHA256 under the internal key of the subject and the token.
func webCSRFMAC(key []byte, subject, token string) string {
	return base64.RawURLEncoding.EncodeToString(mac(key, "web-csrf", subject, token))
}

// webHandler returns what serves pages: the in-process handler (with the edge's internal headers
// set as a signed request would carry them), or a signed proxy to the web stack's URL, or nil.
func webHandler(cfg Config, signer *hmac.Signer) (http.Handler, error) {
	switch {
	case cfg.Web != nil:
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r = r.Clone(r.Context())
			for name := range r.Header {
				if strings.HasPrefix(strings.ToLower(name), "x-coach-") {
					r.Header.Del(name)
				}
			}
			for _, name := range edgeHeaders {
				r.Header.Del(name)
			}
			if s, ok := sessionOf(r.Context()); ok {
				r.Header.Set(hmac.HeaderSubject, s.UserID)
			}
			if tok, ok := r.Context().Value(pageCSRFKey{}).(string); ok {
				r.Header.Set(webCSRFHeader, tok)
			}
			cfg.Web.ServeHTTP(w, r)
		}), nil
	case cfg.WebURL != "":
		u, err := url.Parse(strings.TrimSuffix(cfg.WebURL, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, coach.Errorf(coach.EINVALID, "edge: Config.WebURL: want a base URL such as http://127.0.0.1:8081")
		}
		return forward(u, signer, cfg.Logger, cfg.Key), nil
	}
	return nil, nil
}
