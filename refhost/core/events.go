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

// newestEvent answers the id of the user's newest retained event ({"eventId": …}), or not_found
// when they have none: the edge's WebSocket relay starts a fresh connection there and refuses a
// lastEventId beyond it.
func (a *API) newestEvent(r *http.Request, userID string) (int, any, error) {
	id, err := a.store.Events().Newest(r.Context(), userID)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]string{"eventId": id})
}
