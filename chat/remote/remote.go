// Package remote carries the chat.Model seam over HTTP, as bias/aicoach carries scoring: a
// Handler that serves POST /v1/chat/answer over any chat.Model (in the reference host, the S5
// aicoach service, whose configuration alone holds the model's key) and a Client that is a
// chat.Model calling it. Every request is signed with transport/hmac (key id, timestamp, nonce,
// body hash); bodies are JSON of version 1, bounded in size both ways.
//
// Only the prompt's messages travel: the facts stay with the caller, which checks the answer
// (chat.Check) before anyone sees it.
package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/chat"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

// PathAnswer is the route of the seam; Version the version of its bodies.
const (
	PathAnswer = "/v1/chat/answer"
	Version    = 1
)

// Bounds of the bodies.
const (
	DefaultMaxBodyBytes     = 256 << 10
	DefaultMaxResponseBytes = 64 << 10
	maxMessages             = 16
)

// AnswerRequest is the body of POST /v1/chat/answer: the prompt's messages.
type AnswerRequest struct {
	V        int            `json:"v"`
	Messages []chat.Message `json:"messages"`
}

// AnswerResponse is its answer: the model's text, unchecked.
type AnswerResponse struct {
	V    int    `json:"v"`
	Text string `json:"text"`
}

// ErrorBody is the body of a refusal.
type ErrorBody struct {
	Code    coach.Code `json:"code"`
	Message string     `json:"message"`
}

// HandlerConfig is what a Handler needs.
type HandlerConfig struct {
	// Verifier checks every request's signature. Required.
	Verifier *hmac.Verifier
	// Model answers; nil answers every request EUNAVAILABLE ("no model is configured"), so that
	// callers fall back to their deterministic coach.
	Model chat.Model
	// MaxBodyBytes bounds a request body (DefaultMaxBodyBytes when 0).
	MaxBodyBytes int64
	Logger       *slog.Logger
}

// Handler serves POST /v1/chat/answer.
type Handler struct {
	verifier *hmac.Verifier
	model    chat.Model
	maxBody  int64
	log      *slog.Logger
}

// NewHandler returns a Handler, or an EINVALID error naming the first missing or invalid field.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	switch {
	case cfg.Verifier == nil:
		return nil, coach.Errorf(coach.EINVALID, "remote: HandlerConfig.Verifier is required")
	case cfg.MaxBodyBytes < 0:
		return nil, coach.Errorf(coach.EINVALID, "remote: HandlerConfig.MaxBodyBytes must not be negative")
	}
	h := &Handler{verifier: cfg.Verifier, model: cfg.Model, maxBody: cfg.MaxBodyBytes, log: cfg.Logger}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

// ServeHTTP answers a signed POST of an AnswerRequest: 404 for another path, 405 for another
// method, 415 for another content type, the verifier's refusal, 413 for a body over the bound,
// 400 for a body that does not decode, then the model's answer or its error's status.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h == nil || h.verifier == nil {
		writeError(w, 0, coach.Errorf(coach.EINVALID, "remote: Handler not constructed; use remote.NewHandler"))
		return
	}
	if r.URL.Path != PathAnswer {
		writeError(w, http.StatusNotFound, coach.Errorf(coach.ENOTFOUND, "no such route"))
		return
	}
	_, body, err := h.verifier.ReadJSONPost(w, r, h.maxBody)
	if err != nil {
		var re *hmac.RequestError
		if errors.As(err, &re) {
			writeError(w, re.Status, re.Err)
			return
		}
		writeError(w, 0, err)
		return
	}
	var in AnswerRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || in.V != Version || len(in.Messages) == 0 || len(in.Messages) > maxMessages {
		writeError(w, http.StatusBadRequest, coach.Errorf(coach.EINVALID, "body: want {\"v\":1,\"messages\":[1 to %d messages]}", maxMessages))
		return
	}
	if h.model == nil {
		writeError(w, 0, coach.Errorf(coach.EUNAVAILABLE, "no model is configured"))
		return
	}
	text, err := h.model.Answer(r.Context(), chat.Prompt{Version: chat.PromptVersion, Messages: in.Messages})
	if err != nil {
		if coach.ErrorCode(err) == coach.EINTERNAL {
			h.log.ErrorContext(r.Context(), "remote: the model failed", "err", err)
		}
		writeError(w, 0, err)
		return
	}
	httpjson.WriteJSON(w, http.StatusOK, AnswerResponse{V: Version, Text: text})
}

func writeError(w http.ResponseWriter, status int, err error) {
	code, msg := coach.ErrorCode(err), coach.ErrorMessage(err)
	if status == 0 {
		status = httpjson.StatusOf(code)
	}
	if code == coach.EINTERNAL {
		msg = "internal error"
	}
	httpjson.WriteJSON(w, status, ErrorBody{Code: code, Message: msg})
}

// ClientConfig is what a Client needs.
type ClientConfig struct {
	// BaseURL is the service's root, http or https (a path prefix is kept). Required.
	BaseURL string
	// Key signs every request. Required (see hmac.SignerConfig).
	Key hmac.Key
	// Transport sends the signed requests; http.DefaultTransport when nil.
	Transport http.RoundTripper
	Clock     coach.Clock
	// MaxResponseBytes bounds an answer's body (DefaultMaxResponseBytes when 0).
	MaxResponseBytes int64
}

// Client is a chat.Model that asks the service.
type Client struct {
	base    *url.URL
	http    *http.Client
	maxResp int64
}

var _ chat.Model = (*Client)(nil)

// NewClient returns a Client, or an EINVALID error naming the first missing or invalid field.
func NewClient(cfg ClientConfig) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	switch {
	case cfg.BaseURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "":
		return nil, coach.Errorf(coach.EINVALID, "remote: ClientConfig.BaseURL: want an http(s) URL without query")
	case cfg.MaxResponseBytes < 0:
		return nil, coach.Errorf(coach.EINVALID, "remote: ClientConfig.MaxResponseBytes must not be negative")
	}
	signer, err := hmac.NewSigner(hmac.SignerConfig{Key: cfg.Key, Next: cfg.Transport, Clock: cfg.Clock})
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "remote: ClientConfig.Key: %s", coach.ErrorMessage(err))
	}
	c := &Client{base: u, http: &http.Client{Transport: signer}, maxResp: cfg.MaxResponseBytes}
	if c.maxResp == 0 {
		c.maxResp = DefaultMaxResponseBytes
	}
	return c, nil
}

// Answer sends p's messages and returns the service's text. A refusal keeps the service's code
// (EUNAVAILABLE when no model is configured there); a service that does not answer, or answers
// more than MaxResponseBytes or not JSON, is EUNAVAILABLE.
func (c *Client) Answer(ctx context.Context, p chat.Prompt) (string, error) {
	if c == nil || c.http == nil {
		return "", coach.Errorf(coach.EINVALID, "remote: Client not constructed; use remote.NewClient")
	}
	body, err := json.Marshal(AnswerRequest{V: Version, Messages: p.Messages})
	if err != nil {
		return "", coach.Errorf(coach.EINVALID, "remote: encode request")
	}
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + PathAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", coach.Errorf(coach.EINVALID, "remote: build request")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if cerr, ok := coach.ContextError(ctx.Err()); ok {
			return "", cerr
		}
		return "", coach.WrapError(coach.EUNAVAILABLE, err, "the AI-coach service did not answer")
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResp+1))
	if err != nil || int64(len(raw)) > c.maxResp {
		return "", coach.Errorf(coach.EUNAVAILABLE, "the AI-coach service's answer broke off or is too large")
	}
	if resp.StatusCode != http.StatusOK {
		var eb ErrorBody
		if json.Unmarshal(raw, &eb) != nil || eb.Code == "" {
			return "", coach.Errorf(coach.EUNAVAILABLE, "the AI-coach service answered %s", resp.Status)
		}
		return "", coach.Errorf(eb.Code, "%s", eb.Message)
	}
	var out AnswerResponse
	if err := json.Unmarshal(raw, &out); err != nil || out.V != Version {
		return "", coach.Errorf(coach.EUNAVAILABLE, "the AI-coach service's answer could not be read")
	}
	return out.Text, nil
}
