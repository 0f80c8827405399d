package edge

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// CSRF and idempotency fields: a script sends the header, a plain HTML form the hidden field.
const (
	csrfHeader        = "X-CSRF-Token"
	csrfField         = "csrf_token"
	idempotencyHeader = "Idempotency-Key"
	idempotencyField  = "idempotency_key"
)

// maxFormBytes bounds a form body the edge reads for its hidden fields (a CSV upload is the
// largest form).
const maxFormBytes = 8 << 20

// csrfFor is the synchronizer token of a session: an HMAC of its token hash under the edge's
// secret, so it is bound to the session, changes when the session rotates, and needs no storage.
func (e *Edge) csrfFor(tokenHash string) string {
	return base64.RawURLEncoding.EncodeToString(mac(e.cfg.Secret, "csrf-session", tokenHash))
}

// csrfForVisitor is the token of a visitor without a session, bound to their pre-session cookie.
func (e *Edge) csrfForVisitor(pre string) string {
	return base64.RawURLEncoding.EncodeToString(mac(e.cfg.Secret, "csrf-visitor", pre))
}

// csrfToken answers the token a script sends in X-CSRF-Token: the session's, or for a visitor
// without one, a token bound to a pre-session cookie it sets when absent.
func (e *Edge) csrfToken(w http.ResponseWriter, r *http.Request) {
	token := ""
	if s, ok := sessionOf(r.Context()); ok {
		token = e.csrfFor(s.TokenHash)
	} else {
		pre := ""
		if c, err := r.Cookie(CSRFCookie); err == nil && ParseToken(c.Value) {
			pre = c.Value
		} else {
			pre = newToken()
			http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: pre, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
		}
		token = e.csrfForVisitor(pre)
	}
	w.Header().Set(csrfHeader, token)
	httpjson.WriteJSON(w, http.StatusOK, map[string]string{"csrfToken": token})
}

// safeMethod reports the methods that must not change anything.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF refuses, with 403, an unsafe request that a browser sent from another site
// (Sec-Fetch-Site other than same-origin, or an Origin other than the edge's), or that does not
// carry the synchronizer token of its session (or, without a session, of its pre-session cookie)
// in X-CSRF-Token or the form field csrf_token.
func (e *Edge) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) {
			next.ServeHTTP(w, r)
			return
		}
		if err := e.sameOrigin(r); err != nil {
			httpjson.WriteError(w, r, nil, err)
			return
		}
		got := r.Header.Get(csrfHeader)
		if got == "" {
			form, err := readForm(r)
			if err != nil {
				httpjson.WriteError(w, r, nil, err)
				return
			}
			got = form.Get(csrfField)
		}
		if !e.validCSRF(r, got) {
			httpjson.WriteError(w, r, nil, coach.Errorf(coach.EFORBIDDEN, "missing or wrong CSRF token: get one from GET /auth/csrf"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// validCSRF compares got, in constant time, with the token the request's session (or
// pre-session cookie) calls for.
func (e *Edge) validCSRF(r *http.Request, got string) bool {
	if !ParseToken(got) {
		return false
	}
	want := ""
	if s, ok := sessionOf(r.Context()); ok {
		want = e.csrfFor(s.TokenHash)
	} else if c, err := r.Cookie(CSRFCookie); err == nil && ParseToken(c.Value) {
		want = e.csrfForVisitor(c.Value)
	} else {
		return false
	}
	return hmac.Equal([]byte(got), []byte(want))
}

// sameOrigin refuses a request a browser says came from elsewhere. A client that sends neither
// header (not a browser) passes to the token check.
func (e *Edge) sameOrigin(r *http.Request) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return coach.Errorf(coach.EFORBIDDEN, "cross-site request refused")
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Scheme, e.public.Scheme) || !strings.EqualFold(u.Host, e.public.Host) {
			return coach.Errorf(coach.EFORBIDDEN, "cross-origin request refused")
		}
	}
	return nil
}

// readForm returns the fields of a form body (urlencoded or multipart) and leaves the body in
// place for the handler; another body has no fields.
func readForm(r *http.Request) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data") || r.Body == nil {
		return url.Values{}, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	if err != nil {
		return nil, coach.WrapError(coach.EINVALID, err, "the body could not be read")
	}
	if len(body) > maxFormBytes {
		return nil, httpjson.ErrTooLarge{Limit: maxFormBytes}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	probe := r.Clone(r.Context())
	probe.Body = io.NopCloser(bytes.NewReader(body))
	probe.Form, probe.PostForm, probe.MultipartForm = nil, nil, nil
	if mt == "multipart/form-data" {
		if err := probe.ParseMultipartForm(maxFormBytes); err != nil {
			return nil, coach.Errorf(coach.EINVALID, "the form could not be read")
		}
		defer func() { _ = probe.MultipartForm.RemoveAll() }()
	} else if err := probe.ParseForm(); err != nil {
		return nil, coach.Errorf(coach.EINVALID, "the form could not be read")
	}
	return probe.PostForm, nil
}
