package hmac

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Reasons a request is refused, as sent in the 401 body. They name the failed check only.
const (
	ReasonMissingHeaders = "missing_headers"
	ReasonUnknownKey     = "unknown_key"
	ReasonStaleTimestamp = "stale_timestamp"
	ReasonBadSignature   = "bad_signature"
	ReasonReplayedNonce  = "replayed_nonce"
)

// Verifier defaults.
const (
	DefaultMaxSkew      = 5 * time.Minute
	DefaultMaxBodyBytes = 1 << 20
)

// Verifier checks signed requests. Configure it with NewVerifier.
type Verifier struct {
	keys         map[string]Key
	nonces       storage.Nonces
	clock        coach.Clock
	maxSkew      time.Duration
	maxBodyBytes int64
	log          *slog.Logger
}

// VerifierConfig configures a Verifier.
type VerifierConfig struct {
	// Keys are the active keys; a request signed with any of them is accepted (rotation: add the
	// new key everywhere, switch signers, then remove the old one).
	Keys []Key
	// Nonces remembers used nonces for the replay window (2×MaxSkew, and a second). Required.
	Nonces storage.Nonces
	// Clock defaults to coach.SystemClock.
	Clock coach.Clock
	// MaxSkew defaults to DefaultMaxSkew.
	MaxSkew time.Duration
	// MaxBodyBytes defaults to DefaultMaxBodyBytes; a larger body is refused with 413.
	MaxBodyBytes int64
	// Logger receives one line per refused request (reason and key id only); nil discards them.
	Logger *slog.Logger
}

// NewVerifier returns a Verifier, or an EINVALID error naming the first missing or invalid field
// of cfg.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if len(cfg.Keys) == 0 {
		return nil, coach.Errorf(coach.EINVALID, "hmac: VerifierConfig.Keys: at least one key is required")
	}
	if cfg.Nonces == nil {
		return nil, coach.Errorf(coach.EINVALID, "hmac: VerifierConfig.Nonces is required")
	}
	v := &Verifier{keys: make(map[string]Key, len(cfg.Keys)), nonces: cfg.Nonces, clock: cfg.Clock,
		maxSkew: cfg.MaxSkew, maxBodyBytes: cfg.MaxBodyBytes, log: cfg.Logger}
	for _, k := range cfg.Keys {
		if err := k.validate(); err != nil {
			return nil, coach.Errorf(coach.EINVALID, "hmac: VerifierConfig.Keys: %s", coach.ErrorMessage(err))
		}
		if _, dup := v.keys[k.ID]; dup {
			return nil, coach.Errorf(coach.EINVALID, "hmac: VerifierConfig.Keys: key id %s given twice", k.ID)
		}
		v.keys[k.ID] = NewKey(k.ID, k.raw())
	}
	if v.clock == nil {
		v.clock = coach.SystemClock{}
	}
	if v.maxSkew <= 0 {
		v.maxSkew = DefaultMaxSkew
	}
	if v.maxBodyBytes <= 0 {
		v.maxBodyBytes = DefaultMaxBodyBytes
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	return v, nil
}

// String describes the verifier by its key ids only.
func (v *Verifier) String() string {
	if v == nil {
		return "hmac.Verifier(nil)"
	}
	ids := make([]string, 0, len(v.keys))
	for id := range v.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return "hmac.Verifier{keys:" + strings.Join(ids, ",") + "}"
}

// Format writes String for every verb and flag: the keys' secrets never print.
func (v *Verifier) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, v.String())
	}
}

// LogValue makes log/slog record the key ids only.
func (v *Verifier) LogValue() slog.Value { return slog.StringValue(v.String()) }

// RequestError is why Verify refused a request.
type RequestError struct {
	// Status is the HTTP status to answer: 401, 413, or 503 when the nonce store is down.
	Status int
	// Reason is one of the Reason* constants for a 401, "" otherwise.
	Reason string
	Err    error
}

func (e *RequestError) Error() string {
	if e.Reason != "" {
		return "hmac: " + e.Reason
	}
	return "hmac: " + e.Err.Error()
}

func (e *RequestError) Unwrap() error { return e.Err }

func refused(reason string) *RequestError {
	return &RequestError{Status: http.StatusUnauthorized, Reason: reason,
		Err: coach.Errorf(coach.EUNAUTHORIZED, "request signature refused: %s", reason)}
}

// Verify checks r's signature, reading its body (at most MaxBodyBytes) and restoring it for the
// next handler. It returns the key id that signed the request, or a *RequestError (EINVALID, not
// a RequestError, from a Verifier not built by NewVerifier or for a nil request).
func (v *Verifier) Verify(ctx context.Context, r *http.Request) (string, error) {
	switch {
	case v == nil || v.nonces == nil:
		return "", coach.Errorf(coach.EINVALID, "hmac: Verifier not constructed; use hmac.NewVerifier")
	case r == nil:
		return "", coach.Errorf(coach.EINVALID, "hmac: Verify: nil request")
	}
	keyID, ts, nonce, sig := r.Header.Get(HeaderKeyID), r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderNonce), r.Header.Get(HeaderSignature)
	if keyID == "" || ts == "" || nonce == "" || sig == "" || len(nonce) > 64 || len(sig) > 128 {
		return "", refused(ReasonMissingHeaders)
	}
	key, ok := v.keys[keyID]
	if !ok {
		return "", refused(ReasonUnknownKey)
	}
	at, ok := unixSeconds(ts)
	if !ok {
		return "", refused(ReasonStaleTimestamp)
	}
	if now := v.clock.Now(); at.Before(now.Add(-v.maxSkew)) || at.After(now.Add(v.maxSkew)) {
		return "", refused(ReasonStaleTimestamp)
	}
	body, err := v.readBody(r)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(RequestHost(r)+r.URL.RawQuery+r.Header.Get("Content-Type"), "\r\n") || !validSubject(r) {
		return "", refused(ReasonBadSignature)
	}
	want := Sign(key.raw(), r, ts, nonce, body)
	got, err := base64.RawURLEncoding.DecodeString(sig)
	wantRaw, _ := base64.RawURLEncoding.DecodeString(want)
	if err != nil || !hmac.Equal(got, wantRaw) {
		return "", refused(ReasonBadSignature)
	}
	// The nonce is recorded only for a correctly signed request, so nobody can burn nonces. It is
	// kept while its timestamp is accepted: at most 2×MaxSkew from now (a timestamp MaxSkew ahead
	// stays acceptable until MaxSkew after it), plus a second so that a store expiring a key at
	// its deadline cannot let a replay in at the last accepted instant.
	if err := v.nonces.Use(ctx, keyID+":"+nonce, 2*v.maxSkew+time.Second); err != nil {
		if coach.ErrorCode(err) == coach.ECONFLICT {
			return "", refused(ReasonReplayedNonce)
		}
		return "", &RequestError{Status: http.StatusServiceUnavailable, Err: err}
	}
	return keyID, nil
}

func (v *Verifier) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, v.maxBodyBytes+1))
	_ = r.Body.Close() // the server's request body: closing it cannot lose anything already read
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &RequestError{Status: http.StatusRequestEntityTooLarge,
			Err: coach.Errorf(coach.EINVALID, "request body larger than %d bytes", mbe.Limit)}
	}
	if err != nil {
		return nil, &RequestError{Status: http.StatusBadRequest, Err: coach.Errorf(coach.EINVALID, "request body unreadable")}
	}
	if int64(len(body)) > v.maxBodyBytes {
		return nil, &RequestError{Status: http.StatusRequestEntityTooLarge,
			Err: coach.Errorf(coach.EINVALID, "request body larger than %d bytes", v.maxBodyBytes)}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// Middleware passes verified requests to next and answers the others itself (500 from a
// Verifier not built by NewVerifier, whatever the request).
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v == nil || v.nonces == nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if _, err := v.Verify(r.Context(), r); err != nil {
			v.refuse(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (v *Verifier) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var re *RequestError
	if !errors.As(err, &re) {
		re = &RequestError{Status: http.StatusInternalServerError, Err: err}
	}
	body := map[string]string{"code": string(coach.ErrorCode(re.Err)), "message": coach.ErrorMessage(re.Err)}
	if re.Reason != "" {
		body["reason"] = re.Reason
	}
	level := slog.LevelWarn
	if re.Status >= 500 {
		level = slog.LevelError
	}
	v.log.Log(r.Context(), level, "signed request refused", "status", re.Status, "reason", re.Reason,
		"keyId", clipHeader(r.Header.Get(HeaderKeyID)), "path", r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(re.Status)
	_ = json.NewEncoder(w).Encode(body) // the status is sent; a client gone by now cannot be told more
}

func clipHeader(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}
