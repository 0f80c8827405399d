package core

import (
	"net/http"
	"time"

	"github.com/tradecoach/coach/jobs"
)

// eraseMe queues the erasure of everything the user has, everywhere, and answers 202: the
// worker's erase.user job revokes their broker grants, forgets their jobs and removes their rows,
// keys and blobs, keeping only a pseudonymous record. Their sessions end at once.
func (a *API) eraseMe(r *http.Request, userID string) (int, any, error) {
	j, err := jobs.EraseJob(jobs.ErasePayload{UserID: userID})
	if err != nil {
		return fail(err)
	}
	if _, err := a.queue.Enqueue(r.Context(), j); err != nil {
		return fail(err)
	}
	if _, err := a.store.Sessions().DeleteAll(r.Context(), userID); err != nil {
		return fail(err)
	}
	return http.StatusAccepted, map[string]string{"status": "erasing"}, nil
}

// requestExport queues an export of everything the user has and answers 202 with it; a user
// whose export is still being built gets that one back. export.ready announces it when done.
func (a *API) requestExport(r *http.Request, userID string) (int, any, error) {
	exp, err := a.jobs.RequestExport(r.Context(), userID)
	if err != nil {
		return fail(err)
	}
	return http.StatusAccepted, exp, nil
}

func (a *API) listExports(r *http.Request, userID string) (int, any, error) {
	q := newQuery(r)
	limit := q.limit(20)
	if err := q.err(); err != nil {
		return fail(err)
	}
	exps, err := a.svc.Exporter.List(r.Context(), userID, limit)
	if err != nil {
		return fail(err)
	}
	return ok(map[string]any{"exports": nonNil(exps)})
}

func (a *API) getExport(r *http.Request, userID string) (int, any, error) {
	exp, err := a.svc.Exporter.Get(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return ok(exp)
}

// exportLink mints a short-lived download link of a finished export. The link is made on this
// authenticated request and stored nowhere.
func (a *API) exportLink(r *http.Request, userID string) (int, any, error) {
	url, expires, err := a.svc.Exporter.DownloadURL(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return ok(struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expiresAt"`
	}{url, expires})
}
