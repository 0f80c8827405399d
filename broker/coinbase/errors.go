package coinbase

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/wire"
)

// ErrRevoked is returned (possibly wrapped) when Coinbase refuses the connection's refresh token:
// it expired, was revoked or was already used. Its code is EUNAUTHORIZED; the caller should mark
// the connection revoked and ask the user to link it again.
var ErrRevoked = &coach.Error{
	Code:    coach.EUNAUTHORIZED,
	Message: "coinbase refused the refresh token (expired, revoked or already used): the connection must be re-linked",
}

// errorBody is every error shape Coinbase answers with: Advanced Trade v3
// ({"error","error_details","message"}), OAuth2 ({"error","error_description"}) and the v2 App API
// ({"errors":[{"id","message"}]}).
type errorBody struct {
	Error            string `json:"error"`
	ErrorDetails     string `json:"error_details"`
	Message          string `json:"message"`
	ErrorDescription string `json:"error_description"`
	Errors           []struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	} `json:"errors"`
}

// parseErrorBody returns the machine id and the human text of an error body, both "" when the
// body is not one of Coinbase's JSON error shapes (plain text, HTML).
func parseErrorBody(body []byte) (id, msg string) {
	var e errorBody
	if !startsWithObject(body) {
		return "", ""
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	switch {
	case e.Error != "":
		id = e.Error
		msg = firstNonEmpty(e.Message, e.ErrorDetails, e.ErrorDescription)
	case len(e.Errors) > 0:
		id, msg = e.Errors[0].ID, e.Errors[0].Message
	}
	return id, msg
}

func startsWithObject(b []byte) bool {
	for _, c := range b {
		if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
			continue
		}
		return c == '{'
	}
	return false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// formatError turns a non-2xx answer into a coach error. It is the one place where Coinbase's
// statuses and error ids become codes. Server text is quoted only from JSON error bodies, clipped,
// stripped of control characters and of every secret in secrets.
func formatError(status int, body []byte, secrets []string) error {
	id, msg := parseErrorBody(body)
	msg = wire.SafeText(msg, secrets)
	id = wire.SafeText(id, secrets)
	detail := ""
	if msg != "" {
		detail = ": " + msg
	}
	switch {
	case id == "invalid_client" || id == "unauthorized_client":
		return coach.Errorf(coach.EINVALID, "coinbase refused the application's client credentials; check ClientID and ClientSecret")
	case status == http.StatusUnauthorized:
		return coach.Errorf(coach.EUNAUTHORIZED, "coinbase rejected the access token%s; the connection must be re-linked", detail)
	case status == http.StatusForbidden || id == "PERMISSION_DENIED" || id == "invalid_scope":
		return coach.Errorf(coach.EFORBIDDEN, "coinbase refused access%s; re-link the connection granting the scopes %s", detail, strings.Join(DefaultScopes, ","))
	case status == http.StatusNotFound || id == "NOT_FOUND" || id == "not_found":
		if detail == "" {
			detail = ": not found"
		}
		return coach.Errorf(coach.ENOTFOUND, "coinbase%s", detail)
	case status == http.StatusTooManyRequests:
		return coach.Errorf(coach.ERATELIMITED, "coinbase rate limit: still refused after backing off; try again later")
	case status >= 500:
		return coach.Errorf(coach.EUNAVAILABLE, "coinbase is unavailable (status %d); try again later", status)
	case status >= 400:
		if detail == "" && id != "" {
			detail = ": " + id
		}
		return coach.Errorf(coach.EINVALID, "coinbase refused the request (status %d)%s", status, detail)
	}
	return coach.Errorf(coach.EUNAVAILABLE, "coinbase answered with unexpected status %d", status)
}

// malformed is the error for a 2xx answer that does not decode.
func malformed(what string) error {
	return coach.Errorf(coach.EUNAVAILABLE, "coinbase sent a malformed %s", what)
}

// ended returns ECANCELED, wrapping the context's error, when ctx has ended or err is a context
// error, and err otherwise: a request, a backoff sleep cut short by the caller's context is
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
