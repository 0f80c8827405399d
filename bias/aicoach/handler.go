package aicoach

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/transport/hmac"
)

// Handler defaults.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultMaxRuns      = 64
	DefaultMaxRunBytes  = 64 << 20
	DefaultRunTTL       = 2 * time.Minute
)

// HandlerConfig is what a Handler needs.
type HandlerConfig struct {
	// Verifier checks every request's signature. Required.
	Verifier *hmac.Verifier
	// Coach answers the requests; bias.InProcess when nil.
	Coach bias.Coach
	// MaxBodyBytes bounds one request body (DefaultMaxBodyBytes when 0); a larger one is 413.
	MaxBodyBytes int64
	// MaxRuns bounds the scoring runs in progress at once (DefaultMaxRuns when 0).
	MaxRuns int
	// MaxRunBytes bounds the bodies of one run, all pages (DefaultMaxRunBytes when 0).
	MaxRunBytes int64
	// RunTTL is how long a run waits for its next page (DefaultRunTTL when 0).
	RunTTL time.Duration
	// Clock ages the runs; coach.SystemClock when nil.
	Clock coach.Clock
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
}

// Handler serves the three routes of the AI-coach service over a bias.Coach: every request
// signed (hmac), a POST of application/json no larger than MaxBodyBytes, decoded strictly (an
// unknown field, a second JSON value or a wrong version is EINVALID). Build it with NewHandler;
// a Handler not built that way answers 500 to everything.
type Handler struct {
	verifier *hmac.Verifier
	ai       bias.Coach
	maxBody  int64
	runs     *runs
	clock    coach.Clock
	log      *slog.Logger
}

// NewHandler returns a Handler, or an EINVALID error naming the first missing or invalid field.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	switch {
	case cfg.Verifier == nil:
		return nil, coach.Errorf(coach.EINVALID, "aicoach: HandlerConfig.Verifier is required")
	case cfg.MaxBodyBytes < 0:
		return nil, coach.Errorf(coach.EINVALID, "aicoach: HandlerConfig.MaxBodyBytes must not be negative")
	case cfg.MaxRuns < 0:
		return nil, coach.Errorf(coach.EINVALID, "aicoach: HandlerConfig.MaxRuns must not be negative")
	case cfg.MaxRunBytes < 0:
		return nil, coach.Errorf(coach.EINVALID, "aicoach: HandlerConfig.MaxRunBytes must not be negative")
	case cfg.RunTTL < 0:
		return nil, coach.Errorf(coach.EINVALID, "aicoach: HandlerConfig.RunTTL must not be negative")
	}
	h := &Handler{verifier: cfg.Verifier, ai: cfg.Coach, maxBody: cfg.MaxBodyBytes, clock: cfg.Clock, log: cfg.Logger,
		runs: &runs{m: map[string]*run{}, max: cfg.MaxRuns, maxBytes: cfg.MaxRunBytes, ttl: cfg.RunTTL}}
	if h.ai == nil {
		h.ai = bias.InProcess{}
	}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.runs.max == 0 {
		h.runs.max = DefaultMaxRuns
	}
	if h.runs.maxBytes == 0 {
		h.runs.maxBytes = DefaultMaxRunBytes
	}
	if h.runs.ttl == 0 {
		h.runs.ttl = DefaultRunTTL
	}
	if h.clock == nil {
		h.clock = coach.SystemClock{}
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

// ServeHTTP routes r: 404 for another path, then hmac.Verifier.ReadJSONPost's refusals (405 for
// another method, 415 for another content type, 413 for a body over MaxBodyBytes, the verifier's
// 401 for a refused signature), 400 for a body that does not decode, then the Coach's answer.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h == nil || h.verifier == nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	route := map[string]func(http.ResponseWriter, *http.Request, string, []byte){
		PathScore: h.score, PathIndicators: h.indicators, PathReflect: h.reflect,
	}[r.URL.Path]
	if route == nil {
		writeError(w, http.StatusNotFound, coach.Errorf(coach.ENOTFOUND, "no such route"))
		return
	}
	keyID, body, err := h.verifier.ReadJSONPost(w, r, h.maxBody)
	if err != nil {
		var re *hmac.RequestError
		if !errors.As(err, &re) {
			writeError(w, 0, err)
			return
		}
		if re.Status >= 500 {
			h.log.ErrorContext(r.Context(), "aicoach: verify", "err", re.Err)
		}
		writeJSON(w, re.Status, ErrorBody{Code: coach.ErrorCode(re.Err), Message: coach.ErrorMessage(re.Err), Reason: re.Reason})
		return
	}
	route(w, r, keyID, body)
}

// fail answers err, logging an internal one.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if coach.ErrorCode(err) == coach.EINTERNAL {
		h.log.ErrorContext(r.Context(), "aicoach: request failed", "path", r.URL.Path, "err", err)
	}
	writeError(w, 0, err)
}

// decodeStrict reads exactly one JSON value of version Version into v: unknown fields, trailing
// data and another version are EINVALID.
func decodeStrict(body []byte, v any, version func() int) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return coach.Errorf(coach.EINVALID, "body: %s", clip(decodeMessage(err)))
	}
	if _, err := dec.Token(); err != io.EOF {
		return coach.Errorf(coach.EINVALID, "body: one JSON value expected")
	}
	if got := version(); got != Version {
		return coach.Errorf(coach.EINVALID, "body: v must be %d, got %d", Version, got)
	}
	return nil
}

// decodeMessage says what was wrong without echoing much of the body.
func decodeMessage(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "malformed JSON"
	case errors.As(err, &te):
		return "wrong type at " + te.Field
	case coach.ErrorCode(err) == coach.EINVALID:
		return coach.ErrorMessage(err)
	}
	return err.Error()
}

var runID = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)
