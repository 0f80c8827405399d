package core

import (
	"io"
	"net/http"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
)

// submitSimulation queues a what-if simulation and answers 202 with its run: the client polls
// GET /simulations/{id} (or waits for the simulation.ready event).
func (a *API) submitSimulation(r *http.Request, userID string) (int, any, error) {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" && ct != "application/json; charset=utf-8" {
		return fail(coach.Errorf(coach.EINVALID, "the body must be application/json"))
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return fail(coach.WrapError(coach.EINVALID, err, "the body could not be read"))
	}
	req, err := sim.ParseRequest(b)
	if err != nil {
		return fail(err)
	}
	run, err := a.jobs.SubmitSimulation(r.Context(), userID, req)
	if err != nil {
		return fail(err)
	}
	return http.StatusAccepted, run, nil
}

func (a *API) getSimulation(r *http.Request, userID string) (int, any, error) {
	run, err := a.svc.Simulator.Get(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		return fail(err)
	}
	return ok(run)
}

// listSimulations answers the user's runs, newest first. Query: status, limit, after.
func (a *API) listSimulations(r *http.Request, userID string) (int, any, error) {
	q := newQuery(r)
	f := storage.RunFilter{Status: q.str("status"), Limit: q.limit(50)}
	var after storage.RunPos
	if q.cursor("after", &after) {
		f.After = &after
	}
	if err := q.err(); err != nil {
		return fail(err)
	}
	runs, err := a.svc.Simulator.List(r.Context(), userID, f)
	if err != nil {
		return fail(err)
	}
	out := map[string]any{"runs": nonNil(runs)}
	if len(runs) == f.Limit {
		last := runs[len(runs)-1]
		out["next"] = encodeCursor(storage.RunPos{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	return ok(out)
}
