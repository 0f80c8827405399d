package edge

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport/httpjson"
)

// How long an idempotency key is held while its request runs, and how long its answer is kept.
const (
	idemInFlight = time.Minute
	idemKeep     = 24 * time.Hour
	maxIdemKey   = 128
)

// ReplayedHeader marks an answer replayed from an earlier request with the same Idempotency-Key.
const ReplayedHeader = "Idempotent-Replayed"

// stored is an answer kept under an idempotency key.
type stored struct {
	Status int               `json:"status"`
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body"` // base64
}

// keptHeaders are the answer headers an idempotent replay repeats.
var keptHeaders = []string{"Content-Type", "Location", "Cache-Control"}

// idempotent requires an Idempotency-Key (header, or the form field idempotency_key) on the
// request and answers it once: the same key with the same request (method, path, query, content
// type and body) replays the first answer; the same key with another request, or while the first
// is still running, is a conflict (409). Keys are scoped to the user, or to the visitor's
// pre-session cookie, so one client can never replay another's answer. An answer that sets a
// cookie (login, password change) or failed with a 5xx is not kept: a retry runs again.
func (e *Edge) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(idempotencyHeader)
		if key == "" {
			form, err := readForm(r)
			if err != nil {
				httpjson.WriteError(w, r, nil, err)
				return
			}
			key = form.Get(idempotencyField)
		}
		if !validIdemKey(key) {
			httpjson.WriteError(w, r, nil, httpjson.Field(idempotencyHeader, "required on every POST: 1 to %d printable characters", maxIdemKey))
			return
		}
		body, err := readBody(r)
		if err != nil {
			httpjson.WriteError(w, r, nil, err)
			return
		}
		scope := ""
		if s, ok := sessionOf(r.Context()); ok {
			scope = storage.UserKey(s.UserID, "edge", "idem", key)
		} else if c, err := r.Cookie(CSRFCookie); err == nil && ParseToken(c.Value) {
			scope = "edge:idem:" + e.pepper("visitor", c.Value) + ":" + key
		} else {
			httpjson.WriteError(w, r, nil, coach.Errorf(coach.EFORBIDDEN, "get a CSRF token from GET /auth/csrf first"))
			return
		}
		hash := base64.RawURLEncoding.EncodeToString(mac(e.cfg.Secret, "idem", r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"), string(body)))
		rec, err := e.cfg.Idempotency.Claim(r.Context(), scope, hash, idemInFlight)
		switch {
		case coach.ErrorCode(err) == coach.ECONFLICT:
			httpjson.WriteError(w, r, nil, coach.Errorf(coach.ECONFLICT, "a request with this Idempotency-Key is still running"))
			return
		case coach.ErrorCode(err) == coach.EINVALID:
			httpjson.WriteError(w, r, nil, coach.Errorf(coach.ECONFLICT, "this Idempotency-Key was used for another request"))
			return
		case err != nil:
			httpjson.WriteError(w, r, e.cfg.Logger, err)
			return
		case rec.State == storage.IdemDone:
			var st stored
			if json.Unmarshal(rec.Response, &st) == nil {
				st.replay(w)
				return
			}
			httpjson.WriteError(w, r, e.cfg.Logger, coach.Errorf(coach.EINTERNAL, "edge: a stored answer does not decode"))
			return
		}
		rw := &recorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rw, r)
		rw.flush(w)
		if rw.status >= 500 || len(rw.header.Values("Set-Cookie")) > 0 {
			_ = e.cfg.Idempotency.Release(r.Context(), scope)
			return
		}
		st := stored{Status: rw.status, Header: map[string]string{}, Body: base64.StdEncoding.EncodeToString(rw.body.Bytes())}
		for _, h := range keptHeaders {
			if v := rw.header.Get(h); v != "" {
				st.Header[h] = v
			}
		}
		raw, _ := json.Marshal(st) // strings and an int always encode
		if err := e.cfg.Idempotency.Complete(r.Context(), scope, raw, idemKeep); err != nil {
			e.cfg.Logger.WarnContext(r.Context(), "idempotency: answer not kept", "err", err)
		}
	})
}

// replay writes a kept answer again, marked as replayed.
func (st stored) replay(w http.ResponseWriter) {
	for k, v := range st.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set(ReplayedHeader, "true")
	body, _ := base64.StdEncoding.DecodeString(st.Body) // the edge encoded it
	w.WriteHeader(st.Status)
	_, _ = w.Write(body)
}

func validIdemKey(k string) bool {
	if k == "" || len(k) > maxIdemKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < ' ' || k[i] > '~' {
			return false
		}
	}
	return true
}

// readBody reads the request's body (at most maxFormBytes) and leaves it in place.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	if err != nil {
		if cerr, ok := coach.ContextError(r.Context().Err()); ok {
			return nil, cerr
		}
		return nil, coach.WrapError(coach.EINVALID, err, "the body could not be read")
	}
	if len(body) > maxFormBytes {
		return nil, httpjson.ErrTooLarge{Limit: maxFormBytes}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return body, nil
}

// recorder keeps an answer to write it and to store it.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (rw *recorder) Header() http.Header { return rw.header }

func (rw *recorder) WriteHeader(code int) {
	if !rw.wrote {
		rw.status, rw.wrote = code, true
	}
}

func (rw *recorder) Write(b []byte) (int, error) {
	rw.WriteHeader(http.StatusOK)
	return rw.body.Write(b)
}

// flush writes the recorded answer to w.
func (rw *recorder) flush(w http.ResponseWriter) {
	for k, vs := range rw.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(rw.body.Len()))
	w.WriteHeader(rw.status)
	_, _ = w.Write(rw.body.Bytes())
}
