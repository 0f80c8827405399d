package core

import "net/http"

// eventPageSize bounds one answer of /events.
const eventPageSize = 500

// events answers the user's events after since (an event id; none means from the oldest kept),
// oldest first, at most limit; "gone" when since is older than retention, so a client reloads
// instead of missing events.
func (a *API) events(r *http.Request, userID string) (int, any, error) {
	q := newQuery(r)
	since, limit := q.str("since"), q.limit(eventPageSize)
	if err := q.err(); err != nil {
		return fail(err)
	}
	evs, err := a.store.Events().Since(r.Context(), userID, since, limit)
	if err != nil {
		return fail(err)
	}
	out := map[string]any{"events": nonNil(evs)}
	if len(evs) == limit {
		out["next"] = evs[len(evs)-1].ID
	}
	return ok(out)
}
