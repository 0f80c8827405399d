package edge

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/httpjson"
)

// formTarget is where a plain HTML form posting to an /auth/ route is sent afterwards (303): to
// success, or back to the form at failure with ?error=<code> (a field's error as
// invalid_<field>), which the page says in plain words.
type formTarget struct{ success, failure string }

// authForms are the targets of the /auth/ routes a page's form posts to.
var authForms = map[string]formTarget{
	"POST /auth/signup":         {"/signup/sent", "/signup"},
	"POST /auth/signup/confirm": {"/signin?notice=confirmed", "/signup/confirm"},
	"POST /auth/login":          {"/app", "/signin"},
	"POST /auth/logout":         {"/signin?notice=signedout", "/signin"},
	"POST /auth/password":       {"/app/settings?notice=password", "/app/settings"},
	"POST /auth/reset":          {"/reset/sent", "/reset"},
	"POST /auth/reset/confirm":  {"/signin?notice=reset", "/reset/confirm"},
}

// formOnly are the hidden fields of a page's form that are not part of an /auth/ body.
var formOnly = []string{csrfField, idempotencyField, "next"}

// isForm reports a request whose body is an urlencoded HTML form.
func isForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// decodeAuth decodes an /auth/ body into v strictly: JSON (httpjson.Decode: no unknown or
// repeated field, at most maxAuthBody bytes, v's Validate), or an urlencoded form holding the
// same fields by their JSON names (each at most once; the page's hidden fields ignored).
func decodeAuth(r *http.Request, v any) error {
	if !isForm(r) {
		return httpjson.Decode(r, maxAuthBody, v)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAuthBody+1))
	if err != nil {
		return coach.WrapError(coach.EINVALID, err, "the body could not be read")
	}
	if len(body) > maxAuthBody {
		return httpjson.ErrTooLarge{Limit: maxAuthBody}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return coach.Errorf(coach.EINVALID, "the form could not be read")
	}
	for _, name := range formOnly {
		delete(form, name)
	}
	fields := make(map[string]string, len(form))
	for name, vs := range form {
		if len(vs) != 1 {
			return httpjson.Field(name, "given more than once")
		}
		fields[name] = vs[0]
	}
	raw, _ := json.Marshal(fields) // strings always encode
	return httpjson.DecodeBytes(raw, v)
}

// formAnswer runs an /auth/ handler for an HTML form: its success becomes a 303 to the target's
// success page (or, after login, to the form's own next page under /app), its error a 303 back
// to the form with ?error=<code>. The cookies it sets go out with the redirect.
func (e *Edge) formAnswer(w http.ResponseWriter, r *http.Request, target formTarget, fn func(http.ResponseWriter, *http.Request) error) {
	next := target.success
	if target.success == "/app" && r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxAuthBody+1))
		if err == nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			if q, err := url.ParseQuery(string(body)); err == nil && safeNext(q.Get("next")) {
				next = q.Get("next")
			}
		}
	}
	fw := &formWriter{ResponseWriter: w, r: r, to: next}
	err := fn(fw, r)
	if err == nil {
		fw.WriteHeader(http.StatusNoContent) // a handler that wrote nothing succeeded
		return
	}
	if coach.ErrorCode(err) == coach.EINTERNAL {
		e.cfg.Logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	code := string(coach.ErrorCode(err))
	var fe httpjson.FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		code = "invalid_" + fe[0].Field
	}
	sep := "?"
	if strings.Contains(target.failure, "?") {
		sep = "&"
	}
	http.Redirect(w, r, target.failure+sep+"error="+url.QueryEscape(code), http.StatusSeeOther)
}

// safeNext accepts a page of the app to return to after sign-in: a path under /app, nothing
// that could lead to another site.
func safeNext(p string) bool {
	return (p == "/app" || strings.HasPrefix(p, "/app/")) && !strings.ContainsAny(p, "\\\r\n") && !strings.Contains(p, "//")
}

// formWriter turns a handler's success answer into a 303 to its page; the JSON body is dropped.
type formWriter struct {
	http.ResponseWriter
	r     *http.Request
	to    string
	wrote bool
}

func (f *formWriter) WriteHeader(code int) {
	if f.wrote {
		return
	}
	f.wrote = true
	f.Header().Del("Content-Type")
	f.Header().Del("Content-Length")
	http.Redirect(f.ResponseWriter, f.r, f.to, http.StatusSeeOther)
}

func (f *formWriter) Write(b []byte) (int, error) {
	if !f.wrote {
		f.WriteHeader(http.StatusOK)
	}
	return len(b), nil
}
