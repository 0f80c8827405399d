package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/tradecoach/coach"
)

// The headers of a signed request (Standard Webhooks).
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every signing secret: "whsec_" then the base64 of the key.
const SecretPrefix = "whsec_"

// secretBytes is the length of a generated key: 32 bytes, within the specification's 24 to 64.
const secretBytes = 32

// NewSecret returns a fresh signing secret, "whsec_" and the base64 of 32 random bytes.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", coach.Errorf(coach.EINTERNAL, "webhook: no randomness for a secret")
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// signer returns the library's signer of secret, or EINVALID for a secret that is not "whsec_"
// and non-empty base64.
func signer(secret string) (*standardwebhooks.Webhook, error) {
	if !strings.HasPrefix(secret, SecretPrefix) {
		return nil, coach.Errorf(coach.EINVALID, "webhook: a secret starts with %s", SecretPrefix)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "webhook: a secret is %s and base64", SecretPrefix)
	}
	return wh, nil
}

// Sign returns the webhook-signature header of body sent as message id at ts: one "v1,<base64
// HMAC-SHA256 of id.timestamp.body>" per secret, space-separated, so that during a rotation's
// overlap a receiver holding either secret accepts it. EINVALID without a secret or for a
// malformed one.
func Sign(secrets []string, id string, ts time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", coach.Errorf(coach.EINVALID, "webhook: no secret to sign with")
	}
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		wh, err := signer(s)
		if err != nil {
			return "", err
		}
		sig, err := wh.Sign(id, ts, body)
		if err != nil {
			return "", coach.Errorf(coach.EINTERNAL, "webhook: sign")
		}
		sigs = append(sigs, sig)
	}
	return strings.Join(sigs, " "), nil
}

// Headers returns the three signature headers of body sent as message id at ts.
func Headers(secrets []string, id string, ts time.Time, body []byte) (map[string]string, error) {
	sig, err := Sign(secrets, id, ts, body)
	if err != nil {
		return nil, err
	}
	return map[string]string{HeaderID: id, HeaderTimestamp: strconv.FormatInt(ts.Unix(), 10), HeaderSignature: sig}, nil
}
