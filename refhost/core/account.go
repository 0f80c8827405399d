package core

import "net/http"

// accountMetrics answers the user's account effects (disposition effect, loss chasing) per
// calendar month of their time zone, with clustered standard errors and the counts behind each
// ratio. Query: to (RFC 3339; every trade when absent).
func (a *API) accountMetrics(r *http.Request, userID string) (int, any, error) {
	q := newQuery(r)
	to := q.time("to")
	if err := q.err(); err != nil {
		return fail(err)
	}
	ws, err := a.svc.Scorer.AccountWindows(r.Context(), userID, to)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]any{"windows": nonNil(ws)})
}
