package core

import "net/http"

// latestDigest answers the user's most recent weekly digest.
func (a *API) latestDigest(r *http.Request, userID string) (int, any, error) {
	d, err := a.store.Digests().Latest(r.Context(), userID)
	if err != nil {
		return fail(err)
	}
	return ok(d)
}

// listDigests answers the user's digests, newest first. Query: limit.
func (a *API) listDigests(r *http.Request, userID string) (int, any, error) {
	q := newQuery(r)
	limit := q.limit(52)
	if err := q.err(); err != nil {
		return fail(err)
	}
	ds, err := a.store.Digests().List(r.Context(), userID, limit)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]any{"digests": nonNil(ds)})
}

func (a *API) getDigest(r *http.Request, userID string) (int, any, error) {
	d, err := a.store.Digests().Get(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return ok(d)
}
