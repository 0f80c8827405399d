package httpjson

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/tradecoach/coach"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[coach.Code]int{
	coach.EINVALID:      http.StatusBadRequest,
	coach.EUNAUTHORIZED: http.StatusUnauthorized,
	coach.EFORBIDDEN:    http.StatusForbidden,
	coach.ENOTFOUND:     http.StatusNotFound,
	coach.ECONFLICT:     http.StatusConflict,
	coach.EGONE:         http.StatusGone,
	coach.ERATELIMITED:  http.StatusTooManyRequests,
	coach.EUNAVAILABLE:  http.StatusServiceUnavailable,
	coach.ECANCELED:     http.StatusServiceUnavailable,
	coach.ERETRYABLE:    http.StatusServiceUnavailable,
	coach.EINTERNAL:     http.StatusInternalServerError,
}

// StatusOf returns the HTTP status of an error code (500 for an unknown one).
func StatusOf(code coach.Code) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// FieldError is one invalid field of a request: its path in the JSON document ("rules[0].pct")
// or the query parameter's name, and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// FieldErrors is an EINVALID error naming each invalid field. Its text is safe to show.
type FieldErrors []FieldError

// Error lists the fields and their messages.
func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// CoachCode makes FieldErrors an EINVALID coach.Coded error.
func (fe FieldErrors) CoachCode() string { return string(coach.EINVALID) }

// Field returns FieldErrors of one field.
func Field(field, format string, args ...any) FieldErrors {
	return FieldErrors{{Field: field, Message: coach.Errorf(coach.EINVALID, format, args...).Message}}
}

// Body is the JSON body of every error answer.
type Body struct {
	Code      coach.Code   `json:"code"`
	Message   string       `json:"message"`
	Fields    []FieldError `json:"fields,omitempty"`
	RequestID string       `json:"requestId,omitempty"`
}

// RequestIDHeader is the header whose value an error body repeats as requestId.
const RequestIDHeader = "X-Request-Id"

// WriteError answers err: the status of its code and a Body. An internal error is logged with
// its cause on log (nil: not logged) and answered "internal error"; an ERATELIMITED error that
// carries a RetryAfter sets Retry-After.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := coach.ErrorCode(err)
	b := Body{Code: code, Message: coach.ErrorMessage(err), RequestID: w.Header().Get(RequestIDHeader)}
	var fe FieldErrors
	if errors.As(err, &fe) {
		b.Fields = fe
		b.Message = "some fields are invalid"
	}
	if code == coach.EINTERNAL {
		b.Message = "internal error"
		if log != nil {
			log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
	var ra interface{ RetryAfterSeconds() int }
	if errors.As(err, &ra) && ra.RetryAfterSeconds() > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ra.RetryAfterSeconds()))
	}
	WriteJSON(w, StatusOf(code), b)
}

// WriteJSON answers status with v encoded as JSON, never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the status is sent; a client gone by now cannot be told more
}
