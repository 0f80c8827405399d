package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tradecoach/coach"
)

// RunPos is a position in the order of a user's simulation runs, newest first: runs sort by
// CreatedAt descending, then ID descending (byte order), a total order.
type RunPos struct {
	CreatedAt time.Time
	ID        string
}

// PosOfRun returns the position of r in the run order.
func PosOfRun(r coach.SimulationRun) RunPos { return RunPos{CreatedAt: r.CreatedAt, ID: r.ID} }

// Before reports whether p comes before q in the run order (p is newer).
func (p RunPos) Before(q RunPos) bool {
	if !p.CreatedAt.Equal(q.CreatedAt) {
		return p.CreatedAt.After(q.CreatedAt)
	}
	return p.ID > q.ID
}

// RunFilter selects runs for SimulationRuns.List.
type RunFilter struct {
	// Status, when set, keeps only the runs in that status.
	Status string
	// After, when set, continues a listing after that position (keyset paging).
	After *RunPos
	// Limit caps the rows returned (see Clamp); a caller that wants everything pages with After.
	Limit int
}

// RunOutcome is how a simulation run ended, for SimulationRuns.Finish.
type RunOutcome struct {
	// Status is coach.SimulationDone or coach.SimulationFailed.
	Status string
	// Result is the simulation's result, a JSON object: required when done, absent when failed.
	Result json.RawMessage
	// Error says why the run failed: required when failed, absent when done.
	Error *coach.ErrorPayload
	// At is when the run ended (FinishedAt). Required.
	At time.Time
}

// SimulationRuns stores users' simulation runs. Every method is scoped to one user: a run of
// another user is never returned or changed, and asking for it gives ENOTFOUND.
//
// Status transitions: a run is created queued and moves queued → running (Start) → done or
// failed (Finish), and no other way. Both steps are idempotent so that a job that runs twice
// (queues deliver at least once) does no harm: starting a running run changes nothing, and
// finishing a run again with the status it ended with changes nothing and reports that nothing
// changed, so the caller appends no second simulation.ready event. Each step is one atomic
// compare-and-set against concurrent Starts and Finishes of the same run.
type SimulationRuns interface {
	// Create stores r, which must be valid (coach.SimulationRun.Validate) and queued. A zero
	// CreatedAt is set to the store's clock; the run is returned as stored. ECONFLICT if the id
	// is taken (by any user's run); ENOTFOUND if the user does not exist.
	Create(ctx context.Context, r coach.SimulationRun) (coach.SimulationRun, error)

	// Get returns the user's run id, or ENOTFOUND.
	Get(ctx context.Context, userID, id string) (coach.SimulationRun, error)

	// List returns the user's runs matching f, newest first (see RunPos), at most
	// Clamp(f.Limit). An unknown user has none.
	List(ctx context.Context, userID string, f RunFilter) ([]coach.SimulationRun, error)

	// Start moves the user's queued run id to running with StartedAt at (at is raised to the
	// run's CreatedAt if earlier) and returns it. A run already running is returned unchanged
	// (a retried job resumes it). ECONFLICT for a run that has ended; ENOTFOUND if there is no
	// such run.
	Start(ctx context.Context, userID, id string, at time.Time) (coach.SimulationRun, error)

	// Finish ends the user's running run id with o and returns it with changed true. A run that
	// already ended with o.Status is returned as stored (its first outcome kept) with changed
	// false. EINVALID if o is not a valid outcome; ECONFLICT for a queued run (it must start
	// first) or one that ended with the other status; ENOTFOUND if there is no such run.
	Finish(ctx context.Context, userID, id string, o RunOutcome) (run coach.SimulationRun, changed bool, err error)
}

// Validate reports the first invalid field of o: a final status, with a Result when done (a JSON
// object) and an Error when failed, and a time.
func (o RunOutcome) Validate() error {
	r := coach.SimulationRun{ID: "x", UserID: "x", Status: o.Status, Params: json.RawMessage(`{}`),
		Result: o.Result, Error: o.Error, CreatedAt: o.At, StartedAt: &o.At, FinishedAt: &o.At}
	switch {
	case o.Status != coach.SimulationDone && o.Status != coach.SimulationFailed:
		return coach.Errorf(coach.EINVALID, "status: a run ends done or failed")
	case o.At.IsZero():
		return coach.Errorf(coach.EINVALID, "at: required")
	}
	return r.Validate()
}

// Apply returns r ended with o (which must be valid): the status, outcome and FinishedAt, raised
// to r's StartedAt if earlier. Adapters share it so that every store ends runs alike.
func (o RunOutcome) Apply(r coach.SimulationRun) coach.SimulationRun {
	at := o.At.UTC()
	if r.StartedAt != nil && at.Before(*r.StartedAt) {
		at = *r.StartedAt
	}
	r.Status, r.Result, r.Error, r.FinishedAt = o.Status, o.Result, o.Error, &at
	if o.Error != nil {
		e := *o.Error
		r.Error = &e
	}
	return r
}
