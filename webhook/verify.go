package webhook

import (
	"crypto/hmac"
	"net/http"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/tradecoach/coach"
)

// DefaultTolerance is how far a request's webhook-timestamp may be from the receiver's clock,
// either way (the specification's five minutes).
const DefaultTolerance = 5 * time.Minute

// maxSignatures bounds the signatures of one header a Verifier looks at.
const maxSignatures = 8

// Verifier checks the Standard Webhooks signature of requests a receiver gets. Give it the
// endpoint's secret, and during a rotation both the new and the old one.
type Verifier struct {
	keys      []*standardwebhooks.Webhook
	clock     coach.Clock
	tolerance time.Duration
}

// VerifierConfig configures a Verifier.
type VerifierConfig struct {
	// Secrets are the "whsec_" secrets a request may be signed with. At least one is required.
	Secrets []string
	// Clock is the receiver's clock; coach.SystemClock when nil.
	Clock coach.Clock
	// Tolerance is how far the timestamp may be from now; DefaultTolerance when 0.
	Tolerance time.Duration
}

// NewVerifier returns a Verifier, or EINVALID naming the first missing or malformed field.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if len(cfg.Secrets) == 0 {
		return nil, coach.Errorf(coach.EINVALID, "webhook: VerifierConfig.Secrets: at least one is required")
	}
	if cfg.Tolerance < 0 {
		return nil, coach.Errorf(coach.EINVALID, "webhook: VerifierConfig.Tolerance: negative")
	}
	v := &Verifier{clock: cfg.Clock, tolerance: cfg.Tolerance}
	for i, s := range cfg.Secrets {
		wh, err := signer(s)
		if err != nil {
			return nil, coach.Errorf(coach.EINVALID, "webhook: VerifierConfig.Secrets[%d]: want %s and base64", i, SecretPrefix)
		}
		v.keys = append(v.keys, wh)
	}
	if v.clock == nil {
		v.clock = coach.SystemClock{}
	}
	if v.tolerance == 0 {
		v.tolerance = DefaultTolerance
	}
	return v, nil
}

// Signed is what the signature headers of a request say, parsed.
type Signed struct {
	ID        string
	Timestamp time.Time
	// Signatures are the v1 signatures, base64 as sent; other versions are left out.
	Signatures []string
}

// ParseHeaders reads the three signature headers. EUNAUTHORIZED when one is missing, the
// timestamp is not whole seconds since 1970, or no v1 signature is given.
func ParseHeaders(h http.Header) (Signed, error) {
	id, ts, sig := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || ts == "" || sig == "" {
		return Signed{}, coach.Errorf(coach.EUNAUTHORIZED, "webhook: missing %s, %s or %s", HeaderID, HeaderTimestamp, HeaderSignature)
	}
	if len(ts) > 12 {
		return Signed{}, coach.Errorf(coach.EUNAUTHORIZED, "webhook: malformed %s", HeaderTimestamp)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < 0 {
		return Signed{}, coach.Errorf(coach.EUNAUTHORIZED, "webhook: malformed %s", HeaderTimestamp)
	}
	out := Signed{ID: id, Timestamp: time.Unix(sec, 0).UTC()}
	for _, f := range strings.Fields(sig) {
		v, s, ok := strings.Cut(f, ",")
		if !ok || v != "v1" || s == "" {
			continue
		}
		out.Signatures = append(out.Signatures, s)
		if len(out.Signatures) == maxSignatures {
			break
		}
	}
	if len(out.Signatures) == 0 {
		return Signed{}, coach.Errorf(coach.EUNAUTHORIZED, "webhook: no v1 signature")
	}
	return out, nil
}

// Verify checks that body, with headers h, was signed with one of the Verifier's secrets within
// the tolerance of now. It returns the parsed headers (Signed.ID is the message id to dedupe by)
// or EUNAUTHORIZED: missing or malformed headers, a timestamp too old or too new, or no matching
// signature. The comparison takes constant time.
func (v *Verifier) Verify(h http.Header, body []byte) (Signed, error) {
	if v == nil || len(v.keys) == 0 {
		return Signed{}, coach.Errorf(coach.EINVALID, "webhook: Verifier not constructed; use webhook.NewVerifier")
	}
	s, err := ParseHeaders(h)
	if err != nil {
		return Signed{}, err
	}
	now := v.clock.Now()
	if d := now.Sub(s.Timestamp); d > v.tolerance || d < -v.tolerance {
		return Signed{}, coach.Errorf(coach.EUNAUTHORIZED, "webhook: timestamp outside the tolerance of %s", v.tolerance)
	}
	for _, k := range v.keys {
		want, err := k.Sign(s.ID, s.Timestamp, body)
		if err != nil {
			continue
		}
		for _, got := range s.Signatures {
			if hmac.Equal([]byte(want), []byte("v1,"+got)) {
				return s, nil
			}
		}
	}
	return Signed{}, coach.Errorf(coach.EUNAUTHORIZED, "webhook: no matching signature")
}
