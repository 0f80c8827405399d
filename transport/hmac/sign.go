package hmac

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
	"github.com/tradecoach/coach"
)

// Header names of a signed request.
const (
	HeaderKeyID     = "X-Coach-Key-Id"
	HeaderTimestamp = "X-Coach-Timestamp"
	HeaderNonce     = "X-Coach-Nonce"
	HeaderSignature = "X-Coach-Signature"
	// HeaderSubject names whom an internal request acts for (the user id the edge resolved from
	// a session). The signature covers it, so a request signed for one user cannot be turned
	// into a request for another; it is empty for calls that act for nobody.
	HeaderSubject = "X-Coach-Subject"
)

// MaxSubjectBytes bounds the subject header.
const MaxSubjectBytes = 128

// Subject returns the subject of a request Verify accepted: the user it acts for, or "".
func Subject(r *http.Request) string { return r.Header.Get(HeaderSubject) }

// MinKeyBytes is the shortest shared key accepted.
const MinKeyBytes = 32

// Key is a shared signing key, made by NewKey. Its secret sits behind a pointer and every way of
// printing a Key — fmt with any verb, log/slog, encoding/json, also nested in another value, even
// in an unexported field — shows the id and "[redacted]", never the secret's bytes.
type Key struct {
	ID string
	// secret is behind a *string: fmt prints such a pointer as an address even where it cannot
	// call Format (an unexported field) or reports a bad verb (it would dereference a *[]byte).
	secret *string
}

// NewKey returns the key id with a copy of secret.
func NewKey(id string, secret []byte) Key {
	s := string(secret)
	return Key{ID: id, secret: &s}
}

// Secret returns a copy of the key's secret; nil for a Key not made by NewKey.
func (k Key) Secret() []byte {
	if k.secret == nil {
		return nil
	}
	return []byte(*k.secret)
}

// raw is the secret, for signing.
func (k Key) raw() []byte { return k.Secret() }

// String hides the secret.
func (k Key) String() string { return "hmac.Key{" + k.ID + ", [redacted]}" }

// GoString hides the secret from %#v.
func (k Key) GoString() string { return k.String() }

// Format writes String for every verb and flag (%d and %x included).
func (k Key) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, k.String())
	}
}

// LogValue makes log/slog record the id only.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", k.ID), slog.String("secret", "[redacted]"))
}

// MarshalJSON writes the id only: a Key is never serialized with its secret.
func (k Key) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"id": k.ID, "secret": "[redacted]"})
}

func (k Key) validate() error {
	if k.ID == "" || len(k.ID) > 64 || strings.ContainsAny(k.ID, " \t\r\n") {
		return coach.Errorf(coach.EINVALID, "hmac key id: want 1-64 characters without spaces")
	}
	if len(k.raw()) < MinKeyBytes {
		return coach.Errorf(coach.EINVALID, "hmac key %s: secret shorter than %d bytes", k.ID, MinKeyBytes)
	}
	return nil
}

// UpstreamIdleConns is how many idle connections a Signer's own transport keeps to the service
// it calls, ready for the next calls.
const UpstreamIdleConns = 256

// upstreamTransport is http.DefaultTransport's settings for calls to one internal service.
func upstreamTransport() *http.Transport {
	t := &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true, IdleConnTimeout: 90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second, ExpectContinueTimeout: time.Second}
	if d, ok := http.DefaultTransport.(*http.Transport); ok {
		t = d.Clone()
	}
	t.MaxIdleConns = UpstreamIdleConns
	t.MaxIdleConnsPerHost = UpstreamIdleConns
	return t
}

// SignerConfig is what a Signer needs.
type SignerConfig struct {
	// Key signs every request. Required: an id of 1-64 characters and a secret of at least
	// MinKeyBytes.
	Key Key
	// Next sends the signed request. When nil the Signer has a transport of its own: the settings
	// of http.DefaultTransport, but keeping up to UpstreamIdleConns idle connections to the
	// service it calls (DefaultTransport keeps 2 a host, so a service called concurrently opened
	// and closed a connection for almost every call).
	Next http.RoundTripper
	// Clock stamps requests; coach.SystemClock when nil.
	Clock coach.Clock
}

// Signer is an http.RoundTripper that signs every request with its key before passing it on.
// Build it with NewSigner; a Signer not built that way refuses every request with EINVALID.
type Signer struct {
	key   Key
	next  http.RoundTripper
	clock coach.Clock
}

// NewSigner returns a Signer, or an EINVALID error naming the invalid field of cfg.
func NewSigner(cfg SignerConfig) (*Signer, error) {
	if err := cfg.Key.validate(); err != nil {
		return nil, coach.Errorf(coach.EINVALID, "hmac: SignerConfig.Key: %s", coach.ErrorMessage(err))
	}
	if cfg.Next == nil {
		cfg.Next = upstreamTransport()
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	return &Signer{key: cfg.Key, next: cfg.Next, clock: cfg.Clock}, nil
}

// String describes the signer by its key id only.
func (s *Signer) String() string {
	if s == nil {
		return "hmac.Signer(nil)"
	}
	return "hmac.Signer{" + s.key.String() + "}"
}

// Format writes String for every verb and flag.
func (s *Signer) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, s.String())
	}
}

// LogValue makes log/slog record the key id only.
func (s *Signer) LogValue() slog.Value { return slog.StringValue(s.String()) }

// RoundTrip signs a clone of req (reading and restoring its body) and sends it.
func (s *Signer) RoundTrip(req *http.Request) (*http.Response, error) {
	switch {
	case s == nil || s.next == nil:
		return nil, coach.Errorf(coach.EINVALID, "hmac: Signer not constructed; use hmac.NewSigner")
	case req == nil:
		return nil, coach.Errorf(coach.EINVALID, "hmac: RoundTrip: nil request")
	}
	if !validSubject(req) {
		return nil, coach.Errorf(coach.EINVALID, "hmac: RoundTrip: %s: want one value of at most %d printable characters", HeaderSubject, MaxSubjectBytes)
	}
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	if body != nil {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.ContentLength = int64(len(body))
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, errors.Wrap(err, "hmac: nonce")
	}
	ts := strconv.FormatInt(s.clock.Now().Unix(), 10)
	nonce := base64.RawURLEncoding.EncodeToString(raw[:])
	out.Header.Set(HeaderKeyID, s.key.ID)
	out.Header.Set(HeaderTimestamp, ts)
	out.Header.Set(HeaderNonce, nonce)
	out.Header.Set(HeaderSignature, Sign(s.key.raw(), out, ts, nonce, body))
	return s.next.RoundTrip(out)
}

func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, errors.Wrap(err, "hmac: read request body")
	}
	return b, nil
}

// Sign returns the base64url HMAC-SHA256 of the canonical string of r (see Canonical). body is
// r's body, read by the caller.
func Sign(secret []byte, r *http.Request, timestamp, nonce string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	_, _ = io.WriteString(m, Canonical(r, timestamp, nonce, body)) // a hash.Hash's Write never fails
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Canonical returns the string a signature covers, joined by "\n": the method, the host (as
// RequestHost gives it), the escaped path, the query exactly as sent (its raw bytes: reordering
// parameters or repeated values, or re-encoding them, breaks the signature), the Content-Type
// header as sent, the subject (HeaderSubject, "" when absent), the timestamp, the nonce and the
// hex SHA-256 of body. A field that could hold a "\n" (host, query, content type, subject) is
// refused by Verify before it gets here, so no two requests share a canonical string.
func Canonical(r *http.Request, timestamp, nonce string, body []byte) string {
	sum := sha256.Sum256(body)
	return strings.Join([]string{
		strings.ToUpper(r.Method), RequestHost(r), r.URL.EscapedPath(), r.URL.RawQuery,
		r.Header.Get("Content-Type"), r.Header.Get(HeaderSubject), timestamp, nonce, hex.EncodeToString(sum[:]),
	}, "\n")
}

// validSubject reports whether r carries at most one subject header, of at most MaxSubjectBytes
// printable ASCII characters.
func validSubject(r *http.Request) bool {
	vs := r.Header.Values(HeaderSubject)
	if len(vs) > 1 {
		return false
	}
	if len(vs) == 0 {
		return true
	}
	if len(vs[0]) > MaxSubjectBytes {
		return false
	}
	for i := 0; i < len(vs[0]); i++ {
		if vs[0][i] <= ' ' || vs[0][i] > '~' {
			return false
		}
	}
	return true
}

// RequestHost is the host a request is sent to or was received for, lower-cased: r.Host when set
// (what a client sends as the Host header, and what a server received), else r.URL.Host.
func RequestHost(r *http.Request) string {
	h := r.Host
	if h == "" && r.URL != nil {
		h = r.URL.Host
	}
	return strings.ToLower(h)
}

// unixSeconds parses a timestamp header: 1 to 12 decimal digits.
func unixSeconds(s string) (time.Time, bool) {
	if len(s) == 0 || len(s) > 12 {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}
