// Package aicoach is the reference host's S5: the SDK's AI-coach handler (bias/aicoach) behind
// HMAC-signed requests with bounded bodies, serving /v1/indicators, /v1/bias/score and
// /v1/nlg/reflect.
package aicoach

import (
	"log/slog"
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias/aicoach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport/hmac"
)

// KeyID names the internal key in signatures, so that a second key can be added for rotation.
const KeyID = "internal-1"

// Config is what the AI-coach service needs.
type Config struct {
	// Key is the internal key every request must be signed with (hmac.MinKeyBytes or more).
	Key []byte
	// Nonces remembers the nonces seen in the replay window. Required.
	Nonces storage.Nonces
	Clock  coach.Clock
	Logger *slog.Logger
}

// New returns the service's handler, or EINVALID naming what is missing.
func New(cfg Config) (http.Handler, error) {
	v, err := hmac.NewVerifier(hmac.VerifierConfig{Keys: []hmac.Key{hmac.NewKey(KeyID, cfg.Key)}, Nonces: cfg.Nonces,
		Clock: cfg.Clock, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	return aicoach.NewHandler(aicoach.HandlerConfig{Verifier: v, Clock: cfg.Clock, Logger: cfg.Logger})
}

// NewClient returns the bias.Coach a worker scores through when the service runs apart: every
// request to baseURL signed with key.
func NewClient(baseURL string, key []byte) (*aicoach.Client, error) {
	return aicoach.NewClient(aicoach.ClientConfig{BaseURL: baseURL, Key: hmac.NewKey(KeyID, key)})
}
