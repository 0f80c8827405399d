package aicoach

import (
	"encoding/json"
	"net/http"

	"github.com/tradecoach/coach"
)

// statusOf is the one table from error codes to HTTP statuses; codeOf reads it backwards for
// an answer without a readable body.
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

func codeOf(status int) coach.Code {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		return coach.EINVALID
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return coach.EUNAVAILABLE
	}
	for c, s := range statusOf {
		if s == status && s != http.StatusServiceUnavailable {
			return c
		}
	}
	return coach.EINTERNAL
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the status is sent; a client gone by now cannot be told more
}

// writeError answers err by its code; an internal error says "internal error" only.
func writeError(w http.ResponseWriter, status int, err error) {
	code := coach.ErrorCode(err)
	msg := coach.ErrorMessage(err)
	if status == 0 {
		status = statusOf[code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
	}
	if code == coach.EINTERNAL {
		msg = "internal error"
	}
	writeJSON(w, status, ErrorBody{Code: code, Message: msg})
}
