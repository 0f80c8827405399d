package sim

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Submit stores req as a queued simulation run of the user (storage.SimulationRuns) and returns
// the run. Nothing is simulated yet: Run does that, typically in the simulate.simple job that the
// caller enqueues with the run's id (package jobs). The run's Params are the request's JSON, with
// Interval set (coach.Hour1 when empty), which RunRequest reads back.
//
// Errors: EINVALID for a bad user id or request (as Simulate checks it); ENOTFOUND for an unknown
// user; the store's errors otherwise.
func (s *Service) Submit(ctx context.Context, userID string, req Request) (coach.SimulationRun, error) {
	if s == nil || s.store == nil {
		return coach.SimulationRun{}, errNotConstructed
	}
	if !coach.ValidID(userID) {
		return coach.SimulationRun{}, coach.Errorf(coach.EINVALID, "userId: required")
	}
	if req.Interval == "" {
		req.Interval = coach.Hour1
	}
	if err := checkRequest(req); err != nil {
		return coach.SimulationRun{}, err
	}
	req.Params = req.Params.canonical()
	params, err := json.Marshal(req)
	if err != nil {
		return coach.SimulationRun{}, errors.Wrap(err, "sim: submit: encode the request")
	}
	return s.store.SimulationRuns().Create(ctx, coach.SimulationRun{
		ID: coach.NewID(), UserID: userID, Status: coach.SimulationQueued, Params: params,
	})
}

// checkRequest is what Simulate checks of a request before reading anything.
func checkRequest(req Request) error {
	if err := req.Validate(); err != nil {
		return err
	}
	if bars := req.To.Sub(req.From) / req.Interval.Duration(); bars > MaxBars {
		return coach.Errorf(coach.EINVALID, "to: the window holds %d candles of %s, more than %d; choose a wider interval", bars, req.Interval, MaxBars)
	}
	return nil
}

// Run runs the user's simulation run id and returns it as it ended. It is idempotent, so that the
// simulate.simple job may run it more than once:
//
//   - A run that has ended is returned as it is; nothing is simulated again.
//   - A queued run is started (running), then simulated with Simulate. Its result and a
//     simulation.ready event (v1, coach.SimulationReadyPayload) are written in one transaction;
//     when two Runs of the same run race, one writes them and the other returns the run as the
//     first ended it (storage.SimulationRuns.Finish is a compare-and-set), so there is one event.
//   - A simulation that cannot succeed however often it is tried — EINVALID (a request that no
//     longer validates, or a result larger than coach.MaxSimulationResultBytes), ENOTFOUND (a
//     rule deleted since), EFORBIDDEN, EUNAUTHORIZED or EGONE — ends the run failed, with the
//     error's code and safe message, and a simulation.ready event. That is the run's outcome,
//     not an error of Run, which returns the failed run and nil.
//   - Any other error (ECANCELED, EUNAVAILABLE, ERETRYABLE, ERATELIMITED, ECONFLICT, EINTERNAL)
//     is returned, and the run stays running: the next Run resumes it. A run whose job gives up
//     (dead-lettered) stays running until the job is requeued.
//
// StartedAt and FinishedAt are the wall clock's time (the store raises them to CreatedAt and
// StartedAt if the clocks disagree); CreatedAt is the store's.
//
// Errors: EINVALID for a bad user or run id; ENOTFOUND for a run the user does not have (or a
// user deleted meanwhile); the transient errors above.
func (s *Service) Run(ctx context.Context, userID, id string) (coach.SimulationRun, error) {
	if s == nil || s.store == nil {
		return coach.SimulationRun{}, errNotConstructed
	}
	if !coach.ValidID(userID) {
		return coach.SimulationRun{}, coach.Errorf(coach.EINVALID, "userId: required")
	}
	if !coach.ValidID(id) {
		return coach.SimulationRun{}, coach.Errorf(coach.EINVALID, "runId: required")
	}
	runs := s.store.SimulationRuns()
	r, err := runs.Get(ctx, userID, id)
	if err != nil || r.Final() {
		return r, err
	}
	if r, err = runs.Start(ctx, userID, id, time.Now()); err != nil {
		return s.ended(ctx, userID, id, err)
	}
	req, err := RunRequest(r)
	if err != nil {
		return s.finish(ctx, r, storage.RunOutcome{Status: coach.SimulationFailed, Error: errorPayload(err)})
	}
	res, err := s.Simulate(ctx, userID, req)
	if err != nil {
		if !Permanent(err) {
			return r, err
		}
		return s.finish(ctx, r, storage.RunOutcome{Status: coach.SimulationFailed, Error: errorPayload(err)})
	}
	res.Cached = false
	body, err := json.Marshal(res)
	switch {
	case err != nil:
		return r, errors.Wrap(err, "sim: run: encode the result")
	case len(body) > coach.MaxSimulationResultBytes:
		return s.finish(ctx, r, storage.RunOutcome{Status: coach.SimulationFailed, Error: &coach.ErrorPayload{
			Code:    string(coach.EINVALID),
			Message: "the result is too large to keep: simulate a shorter window, or fewer curve points",
		}})
	}
	return s.finish(ctx, r, storage.RunOutcome{Status: coach.SimulationDone, Result: body})
}

// finish ends r with o and, when that changed the run, appends its simulation.ready event, in one
// transaction.
func (s *Service) finish(ctx context.Context, r coach.SimulationRun, o storage.RunOutcome) (coach.SimulationRun, error) {
	o.At = time.Now()
	var out coach.SimulationRun
	err := s.store.InTx(ctx, func(tx storage.Tx) error {
		got, changed, err := tx.SimulationRuns().Finish(ctx, r.UserID, r.ID, o)
		if err != nil || !changed {
			out = got
			return err
		}
		e, err := coach.NewEvent(r.UserID, coach.EventSimulationReady, 1,
			coach.SimulationReadyPayload{RunID: r.ID, Status: got.Status, Error: got.Error})
		if err != nil {
			return err
		}
		if _, err := tx.Events().Append(ctx, e); err != nil {
			return err
		}
		out = got
		return nil
	})
	if err != nil {
		return s.ended(ctx, r.UserID, r.ID, err)
	}
	return out, nil
}

// ended explains a Start or Finish refused with ECONFLICT: another Run ended the run first, which
// is returned as that Run left it. Any other error is returned as it is.
func (s *Service) ended(ctx context.Context, userID, id string, err error) (coach.SimulationRun, error) {
	if coach.ErrorCode(err) != coach.ECONFLICT {
		return coach.SimulationRun{}, err
	}
	r, gerr := s.store.SimulationRuns().Get(ctx, userID, id)
	if gerr != nil || !r.Final() {
		return coach.SimulationRun{}, err
	}
	return r, nil
}

// Permanent reports whether err, from Simulate or Run, would recur however often the simulation
// is tried: EINVALID, ENOTFOUND, EFORBIDDEN, EUNAUTHORIZED and EGONE. Every other error (a
// dependency down, a lost race, a fault, the caller's context ending) may pass.
func Permanent(err error) bool {
	switch coach.ErrorCode(err) {
	case coach.EINVALID, coach.ENOTFOUND, coach.EFORBIDDEN, coach.EUNAUTHORIZED, coach.EGONE:
		return true
	}
	return false
}

// errorPayload is err as a failed run keeps it: its code and the message safe to show.
func errorPayload(err error) *coach.ErrorPayload {
	msg := strings.ToValidUTF8(clip(coach.ErrorMessage(err), 512), "")
	if msg == "" {
		msg = "the simulation failed"
	}
	return &coach.ErrorPayload{Code: string(coach.ErrorCode(err)), Message: msg}
}

// Get returns the user's simulation run id. Errors: EINVALID for a bad user id; ENOTFOUND for a
// run the user does not have; the store's errors otherwise.
func (s *Service) Get(ctx context.Context, userID, id string) (coach.SimulationRun, error) {
	if s == nil || s.store == nil {
		return coach.SimulationRun{}, errNotConstructed
	}
	if !coach.ValidID(userID) {
		return coach.SimulationRun{}, coach.Errorf(coach.EINVALID, "userId: required")
	}
	return s.store.SimulationRuns().Get(ctx, userID, id)
}

// List returns the user's simulation runs matching f, newest first, at most
// storage.Clamp(f.Limit); page on with f.After set to the storage.PosOfRun of the last one.
// Errors: EINVALID for a bad user id or an unknown f.Status; the store's errors otherwise.
func (s *Service) List(ctx context.Context, userID string, f storage.RunFilter) ([]coach.SimulationRun, error) {
	if s == nil || s.store == nil {
		return nil, errNotConstructed
	}
	if !coach.ValidID(userID) {
		return nil, coach.Errorf(coach.EINVALID, "userId: required")
	}
	switch f.Status {
	case "", coach.SimulationQueued, coach.SimulationRunning, coach.SimulationDone, coach.SimulationFailed:
	default:
		return nil, coach.Errorf(coach.EINVALID, "status: want queued, running, done or failed")
	}
	return s.store.SimulationRuns().List(ctx, userID, f)
}

// RunRequest returns the request a run was submitted with (ParseRequest of its Params).
func RunRequest(r coach.SimulationRun) (Request, error) {
	req, err := ParseRequest(r.Params)
	if err != nil {
		return Request{}, coach.Errorf(coach.EINVALID, "simulation run %s: params: %s", r.ID, coach.ErrorMessage(err))
	}
	return req, nil
}

// RunResult returns the result of a done run. EINVALID for a run that is not done or whose
// result does not decode as a Result of this Version.
func RunResult(r coach.SimulationRun) (Result, error) {
	if r.Status != coach.SimulationDone {
		return Result{}, coach.Errorf(coach.EINVALID, "simulation run %s is %s, not done", r.ID, r.Status)
	}
	var res Result
	if err := json.Unmarshal(r.Result, &res); err != nil || res.Version != Version {
		return Result{}, coach.Errorf(coach.EINVALID, "simulation run %s: the result is not a %s result", r.ID, Version)
	}
	return res, nil
}
