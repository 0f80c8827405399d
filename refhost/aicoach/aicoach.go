// Package aicoach is the reference host's S5: the SDK's AI-coach handler (bias/aicoach) behind
// HMAC-signed requests with bounded bodies, serving /v1/indicators, /v1/bias/score and
// /v1/nlg/reflect, and the coach's conversation seam (chat/remote) at /v1/chat/answer, over the
// configured chat-completions model: only this stack's configuration holds the model's key.
package aicoach

import (
	"log/slog"
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias/aicoach"
	"github.com/tradecoach/coach/chat"
	"github.com/tradecoach/coach/chat/openai"
	"github.com/tradecoach/coach/chat/remote"
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
	// Chat answers /v1/chat/answer; nil answers it "unavailable" (no model configured), and the
	// core falls back to the deterministic coach.
	Chat   chat.Model
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
	scoring, err := aicoach.NewHandler(aicoach.HandlerConfig{Verifier: v, Clock: cfg.Clock, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	talk, err := remote.NewHandler(remote.HandlerConfig{Verifier: v, Model: cfg.Chat, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(remote.PathAnswer, talk)
	mux.Handle("/", scoring)
	return mux, nil
}

// NewChatModel returns the chat-completions model of the configuration (chat/openai), or nil when
// no URL is configured. The key is the stack's own setting.
func NewChatModel(baseURL, model, key string) (chat.Model, error) {
	if baseURL == "" {
		return nil, nil
	}
	m, err := openai.New(openai.Config{BaseURL: baseURL, Model: model, Key: openai.NewKey(key)})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// NewChatClient returns the chat.Model the core asks through when the service runs apart: every
// request to baseURL signed with key.
func NewChatClient(baseURL string, key []byte) (*remote.Client, error) {
	return remote.NewClient(remote.ClientConfig{BaseURL: baseURL, Key: hmac.NewKey(KeyID, key)})
}

// NewClient returns the bias.Coach a worker scores through when the service runs apart: every
// request to baseURL signed with key.
func NewClient(baseURL string, key []byte) (*aicoach.Client, error) {
	return aicoach.NewClient(aicoach.ClientConfig{BaseURL: baseURL, Key: hmac.NewKey(KeyID, key)})
}
