// Package openai is a chat.Model over any server that speaks the OpenAI chat-completions API
// (hosted, or local such as llama.cpp, vLLM or Ollama), configured by base URL, model and key, on
// the official SDK (github.com/openai/openai-go/v3). It reads no environment variable: the
// Config is everything it uses.
//
// Each call is bounded: one request (no retries: the chat.Service retries with the violations
// named), within Config.Timeout and the caller's context, and a response body of at most
// Config.MaxResponseBytes. Every failure — an HTTP error, a timeout, a body too large, malformed
// JSON, no choice or an empty message — is coach.EUNAVAILABLE, whose message names the kind of
// failure and never the key or the response's text.
package openai

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/chat"
)

// Defaults of Config.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 256 << 10
	DefaultMaxTokens        = 400
)

// Config is what a Model needs.
type Config struct {
	// BaseURL is the API's root, the URL that /chat/completions is appended to
	// ("https://api.openai.com/v1", "http://127.0.0.1:8080/v1"): required, http or https.
	BaseURL string
	// Model names the model: required.
	Model string
	// Key is the API key, sent as a bearer token; zero sends none (local servers).
	Key Key
	// Timeout bounds one request; DefaultTimeout when zero.
	Timeout time.Duration
	// MaxResponseBytes bounds the response body read; DefaultMaxResponseBytes when zero.
	MaxResponseBytes int64
	// MaxTokens bounds the answer's tokens (max_completion_tokens); DefaultMaxTokens when zero.
	MaxTokens int
	// HTTPClient sends the requests; a client of its own when nil.
	HTTPClient *http.Client
}

// Model is a chat.Model over a chat-completions server.
type Model struct {
	svc     sdk.ChatCompletionService
	model   string
	tokens  int
	timeout time.Duration
}

var _ chat.Model = (*Model)(nil)

// New returns a Model, or an EINVALID error naming the first missing or invalid field.
func New(cfg Config) (*Model, error) {
	u, err := url.Parse(cfg.BaseURL)
	switch {
	case cfg.BaseURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, coach.Errorf(coach.EINVALID, "openai: BaseURL must be an http or https URL")
	case u.User != nil:
		return nil, coach.Errorf(coach.EINVALID, "openai: BaseURL must not carry credentials; use Key")
	case strings.TrimSpace(cfg.Model) == "":
		return nil, coach.Errorf(coach.EINVALID, "openai: Model is required")
	case cfg.Timeout < 0 || cfg.MaxResponseBytes < 0 || cfg.MaxTokens < 0:
		return nil, coach.Errorf(coach.EINVALID, "openai: Timeout, MaxResponseBytes and MaxTokens must not be negative")
	}
	timeout, limit, tokens := cfg.Timeout, cfg.MaxResponseBytes, cfg.MaxTokens
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if limit == 0 {
		limit = DefaultMaxResponseBytes
	}
	if tokens == 0 {
		tokens = DefaultMaxTokens
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	opts := []option.RequestOption{
		option.WithHTTPClient(client),
		option.WithBaseURL(strings.TrimSuffix(cfg.BaseURL, "/") + "/"),
		option.WithMaxRetries(0),
		option.WithRequestTimeout(timeout),
		option.WithMiddleware(limitBody(limit)),
	}
	if !cfg.Key.IsZero() {
		opts = append(opts, option.WithAPIKey(cfg.Key.Reveal()))
	}
	return &Model{svc: sdk.NewChatCompletionService(opts...), model: cfg.Model, tokens: tokens, timeout: timeout}, nil
}

// errTooLarge is the cause of a response body over the limit.
var errTooLarge = errors.New("response body too large")

// limitBody makes every response body fail with errTooLarge once it passes limit bytes.
func limitBody(limit int64) option.Middleware {
	return func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		resp, err := next(r)
		if err != nil || resp == nil || resp.Body == nil {
			return resp, err
		}
		if resp.ContentLength > limit {
			_ = resp.Body.Close()
			return nil, errTooLarge
		}
		resp.Body = &limited{rc: resp.Body, left: limit}
		return resp, nil
	}
}

// limited reads at most left bytes of rc and then fails.
type limited struct {
	rc interface {
		Read([]byte) (int, error)
		Close() error
	}
	left int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more would pass the limit: see whether there is one.
		var one [1]byte
		if n, _ := l.rc.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return l.rc.Read(p)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limited) Close() error { return l.rc.Close() }

// Answer asks the server for one completion of p's messages at temperature 0 and returns its
// text. See the package doc for the bounds and the errors.
func (m *Model) Answer(ctx context.Context, p chat.Prompt) (string, error) {
	if m == nil || m.model == "" {
		return "", coach.Errorf(coach.EINVALID, "openai: Model not constructed; use openai.New")
	}
	msgs := make([]sdk.ChatCompletionMessageParamUnion, 0, len(p.Messages))
	for _, msg := range p.Messages {
		switch msg.Role {
		case chat.RoleSystem:
			msgs = append(msgs, sdk.SystemMessage(msg.Content))
		case chat.RoleAssistant:
			msgs = append(msgs, sdk.AssistantMessage(msg.Content))
		default:
			msgs = append(msgs, sdk.UserMessage(msg.Content))
		}
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	res, err := m.svc.New(ctx, sdk.ChatCompletionNewParams{
		Model:               m.model,
		Messages:            msgs,
		Temperature:         sdk.Float(0),
		MaxCompletionTokens: sdk.Int(int64(m.tokens)),
	})
	if err != nil {
		return "", failure(ctx, err)
	}
	if res == nil || len(res.Choices) == 0 {
		return "", coach.Errorf(coach.EUNAVAILABLE, "openai: the server answered with no choice")
	}
	text := strings.TrimSpace(res.Choices[0].Message.Content)
	if text == "" {
		return "", coach.Errorf(coach.EUNAVAILABLE, "openai: the server answered with an empty message")
	}
	return text, nil
}

// failure turns an SDK error into EUNAVAILABLE (ECANCELED when the caller's context was
// canceled). An API error keeps only its status as the cause: the SDK's error holds the request,
// with its Authorization header.
func failure(ctx context.Context, err error) error {
	var api *sdk.Error
	switch {
	case errors.As(err, &api):
		return coach.WrapError(coach.EUNAVAILABLE, errors.New("status "+strconv.Itoa(api.StatusCode)),
			"openai: the server refused the request (HTTP %d)", api.StatusCode)
	case errors.Is(err, errTooLarge):
		return coach.WrapError(coach.EUNAVAILABLE, errTooLarge, "openai: the server's answer is too large")
	case errors.Is(ctx.Err(), context.Canceled):
		return coach.WrapError(coach.ECANCELED, ctx.Err(), "openai: canceled")
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return coach.WrapError(coach.EUNAVAILABLE, context.DeadlineExceeded, "openai: the server did not answer in time")
	}
	return coach.WrapError(coach.EUNAVAILABLE, errors.New("unreadable answer"), "openai: the server's answer could not be read")
}
