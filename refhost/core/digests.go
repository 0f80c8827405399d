package core

import (
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
)

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

// getDigest answers a digest by its id, or by the ISO week it covers ("2026-W48").
func (a *API) getDigest(r *http.Request, userID string) (int, any, error) {
	if week, err := digest.ParseWeek(r.PathValue("id")); err == nil {
		return a.digestOfWeek(r, userID, week)
	}
	d, err := a.store.Digests().Get(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return ok(d)
}

// digestOfWeek answers the user's digest of week (its PeriodStart is the week's Monday, a date
// of the user's own calendar), or not_found.
func (a *API) digestOfWeek(r *http.Request, userID string, week digest.Week) (int, any, error) {
	monday := week.Monday()
	ds, err := a.store.Digests().List(r.Context(), userID, 520)
	if err != nil {
		return fail(err)
	}
	for _, d := range ds {
		if d.PeriodStart == monday {
			return ok(d)
		}
	}
	return fail(coach.Errorf(coach.ENOTFOUND, "no digest of week %s", week))
}
