package hmac

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"slices"
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
)

// MinKeyBytes is the shortest shared key accepted.
const MinKeyBytes = 32

// Key is a shared signing key. Its String and log forms never show Secret.
type Key struct {
	ID     string
	Secret []byte
}

// String hides the secret.
func (k Key) String() string { return "hmac.Key{" + k.ID + ", [redacted]}" }

// GoString hides the secret from %#v.
func (k Key) GoString() string { return k.String() }

func (k Key) validate() error {
	if k.ID == "" || len(k.ID) > 64 || strings.ContainsAny(k.ID, " \t\r\n") {
		return coach.Errorf(coach.EINVALID, "hmac key id: want 1-64 characters without spaces")
	}
	if len(k.Secret) < MinKeyBytes {
		return coach.Errorf(coach.EINVALID, "hmac key %s: secret shorter than %d bytes", k.ID, MinKeyBytes)
	}
	return nil
}

// SignerConfig is what a Signer needs.
type SignerConfig struct {
	// Key signs every request. Required: an id of 1-64 characters and a secret of at least
	// MinKeyBytes.
	Key Key
	// Next sends the signed request; http.DefaultTransport when nil.
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
		cfg.Next = http.DefaultTransport
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	return &Signer{key: cfg.Key, next: cfg.Next, clock: cfg.Clock}, nil
}

// RoundTrip signs a clone of req (reading and restoring its body) and sends it.
func (s *Signer) RoundTrip(req *http.Request) (*http.Response, error) {
	switch {
	case s == nil || s.next == nil:
		return nil, coach.Errorf(coach.EINVALID, "hmac: Signer not constructed; use hmac.NewSigner")
	case req == nil:
		return nil, coach.Errorf(coach.EINVALID, "hmac: RoundTrip: nil request")
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
	out.Header.Set(HeaderSignature, Sign(s.key.Secret, out.Method, out.URL, ts, nonce, body))
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

// Sign returns the base64url HMAC-SHA256 of the canonical string of a request.
func Sign(secret []byte, method string, u *url.URL, timestamp, nonce string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	io.WriteString(m, Canonical(method, u, timestamp, nonce, body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Canonical returns the string a signature covers: method, escaped path, sorted query, timestamp,
// nonce and the hex SHA-256 of body, joined by "\n".
func Canonical(method string, u *url.URL, timestamp, nonce string, body []byte) string {
	sum := sha256.Sum256(body)
	return strings.Join([]string{
		strings.ToUpper(method), u.EscapedPath(), canonicalQuery(u.RawQuery), timestamp, nonce,
		hex.EncodeToString(sum[:]),
	}, "\n")
}

// canonicalQuery sorts the parameters by key, then value, and re-encodes them, so that a proxy
// reordering the query does not break the signature while any change of a value does.
func canonicalQuery(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		// An unparsable query is signed as sent; the verifier sees the same bytes.
		return raw
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		vs := slices.Clone(q[k])
		slices.Sort(vs)
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
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
