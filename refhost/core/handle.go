package core

import (
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/hmac"
	"github.com/tradecoach/coach/transport/httpjson"
)

// maxUploadBytes bounds any request body (a CSV upload is the largest); maxBodyBytes bounds a
// JSON body.
const (
	maxUploadBytes = 8 << 20
	maxBodyBytes   = 64 << 10
)

// route is one endpoint: its pattern ("GET /trades/{id}"), whether it acts for a user (the
// signed subject is then required), and its handler, which answers by returning a status and a
// value to encode, or an error.
type route struct {
	pattern string
	user    bool
	handle  func(r *http.Request, userID string) (int, any, error)
}

// adapt runs a route: a user route without a subject is EUNAUTHORIZED; a value is written as
// JSON, nil as an empty answer of the status; an error in the one error shape.
func (a *API) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		userID := hmac.Subject(r)
		if rt.user && userID == "" {
			httpjson.WriteError(w, r, a.log, coach.Errorf(coach.EUNAUTHORIZED, "this route acts for a user: sign the request with %s", hmac.HeaderSubject))
			return
		}
		status, v, err := rt.handle(r, userID)
		switch {
		case err != nil:
			httpjson.WriteError(w, r, a.log, err)
		case v == nil:
			w.WriteHeader(status)
		default:
			httpjson.WriteJSON(w, status, v)
		}
	})
}

// ok is the answer of a route that returns v with 200.
func ok(v any) (int, any, error) { return http.StatusOK, v, nil }

// fail is the answer of a route that failed.
func fail(err error) (int, any, error) { return 0, nil, err }

// noContent is the answer of a route that has nothing to say.
func noContent() (int, any, error) { return http.StatusNoContent, nil, nil }
