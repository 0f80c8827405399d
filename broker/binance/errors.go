package binance

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/wire"
)

// Binance error codes the client acts on.
const (
	codeTooManyRequests  = -1003
	codeInvalidTimestamp = -1021
	codeInvalidSignature = -1022
	codeBadInterval      = -1120
	codeBadSymbol        = -1121
	codeBadAPIKeyFormat  = -2014
	codeRejectedAPIKey   = -2015
)

// apiError is Binance's error body, {"code": <negative int>, "msg": "<text>"}.
type apiError struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

// parseError reads an error body; ok is false when the body is not {code,msg}.
func parseError(body []byte) (e apiError, ok bool) {
	if json.Unmarshal(body, &e) != nil || e.Code == 0 {
		return apiError{}, false
	}
	return e, true
}

// formatError turns a non-2xx answer into a coach error: the one place where Binance's statuses
// and error codes become coach codes. Server text is quoted only from {code,msg} bodies, cleaned
// of control characters and of every secret in secrets.
func formatError(status int, body []byte, secrets []string) error {
	e, ok := parseError(body)
	detail := ""
	if ok {
		detail = wire.SafeText(e.Msg, secrets)
		if detail != "" {
			detail = ": " + detail
		}
	}
	switch e.Code {
	case codeRejectedAPIKey, codeBadAPIKeyFormat, codeInvalidSignature, -2008:
		return coach.Errorf(coach.EUNAUTHORIZED, "binance rejected the API key or its signature (%d)%s; re-link the connection with a valid read-only key", e.Code, detail)
	case codeTooManyRequests:
		return coach.Errorf(coach.ERATELIMITED, "binance rate limit (%d)%s; try again later", e.Code, detail)
	case codeInvalidTimestamp:
		return coach.Errorf(coach.EUNAVAILABLE, "binance refused the request time even after syncing with its clock (%d); try again later", e.Code)
	case codeBadSymbol:
		return coach.Errorf(coach.ENOTFOUND, "binance does not know the symbol (%d)%s", e.Code, detail)
	case -1000, -1001, -1006, -1007, -1008:
		return coach.Errorf(coach.EUNAVAILABLE, "binance is unavailable (%d)%s; try again later", e.Code, detail)
	}
	switch {
	case status == http.StatusUnauthorized:
		return coach.Errorf(coach.EUNAUTHORIZED, "binance rejected the API key%s; re-link the connection", detail)
	case status == http.StatusForbidden:
		return coach.Errorf(coach.EFORBIDDEN, "binance refused access (firewall rule)%s", detail)
	case status == http.StatusNotFound:
		return coach.Errorf(coach.ENOTFOUND, "binance: no such endpoint or resource%s", detail)
	case status == http.StatusTooManyRequests || status == http.StatusTeapot:
		return coach.Errorf(coach.ERATELIMITED, "binance rate limit (status %d): still refused after backing off; try again later", status)
	case status >= 500:
		return coach.Errorf(coach.EUNAVAILABLE, "binance is unavailable (status %d); try again later", status)
	case status >= 400 && ok:
		return coach.Errorf(coach.EINVALID, "binance refused the request (%d)%s", e.Code, detail)
	case status >= 400:
		return coach.Errorf(coach.EINVALID, "binance refused the request (status %d)", status)
	}
	return coach.Errorf(coach.EUNAVAILABLE, "binance answered with unexpected status %d", status)
}

// malformed is the error for a 2xx answer that does not decode.
func malformed(what string) error {
	return coach.Errorf(coach.EUNAVAILABLE, "binance sent a malformed %s", what)
}

// ended returns ECANCELED, wrapping the context's error, when ctx has ended or err is a context
// error, and err otherwise: a request, a backoff sleep or a wait for request weight cut short by the caller's context is
// canceled, never unavailable.
func ended(ctx context.Context, err error) error {
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return ce
	}
	if ce, ok := coach.ContextError(err); ok {
		return ce
	}
	return err
}
