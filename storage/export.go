package storage

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// ExportOutcome is how an export ended, for Exports.Finish.
type ExportOutcome struct {
	// Status is coach.ExportDone or coach.ExportFailed.
	Status string
	// Size and SHA256 describe the archive: required when done, zero when failed.
	Size   int64
	SHA256 string
	// Error says why the export failed: required when failed, absent when done.
	Error *coach.ErrorPayload
	// At is when the export ended (FinishedAt). Required.
	At time.Time
	// ExpiresAt is when the archive and the record are to be purged (Exports.Expired). Required,
	// not before At.
	ExpiresAt time.Time
}

// Validate reports the first invalid field of o.
func (o ExportOutcome) Validate() error {
	switch {
	case o.Status != coach.ExportDone && o.Status != coach.ExportFailed:
		return coach.Errorf(coach.EINVALID, "status: an export ends done or failed")
	case o.At.IsZero():
		return coach.Errorf(coach.EINVALID, "at: required")
	case o.ExpiresAt.IsZero():
		return coach.Errorf(coach.EINVALID, "expiresAt: required")
	}
	at := o.At
	return o.Apply(coach.Export{ID: "x", UserID: "x", RequestedAt: at, StartedAt: &at}).Validate()
}

// Apply returns e ended with o (which must be valid): status, outcome, FinishedAt (raised to e's
// StartedAt if earlier) and ExpiresAt (raised to FinishedAt if earlier). Adapters share it so
// that every store ends exports alike.
func (o ExportOutcome) Apply(e coach.Export) coach.Export {
	at := o.At.UTC()
	if e.StartedAt != nil && at.Before(*e.StartedAt) {
		at = *e.StartedAt
	}
	exp := o.ExpiresAt.UTC()
	if exp.Before(at) {
		exp = at
	}
	e.Status, e.Size, e.SHA256, e.FinishedAt, e.ExpiresAt = o.Status, o.Size, o.SHA256, &at, &exp
	e.Error = nil
	if o.Error != nil {
		x := *o.Error
		e.Error = &x
	}
	return e
}

// Exports stores users' exports (coach.Export): the record of each request for a copy of a
// user's data, never the archive (which is a blob) nor a download link. An export moves queued →
// running → done or failed; a step repeated (a retried job) does no harm, as with SimulationRuns.
// Every method but Expired is scoped to one user: another user's export is never returned,
// changed or deleted, and naming one gives ENOTFOUND. Exports go with their user.
type Exports interface {
	// Create stores e, which must be valid and queued. A zero RequestedAt is the store's clock;
	// the export is returned as stored. ECONFLICT if the id is taken (by any user's export);
	// ENOTFOUND if the user does not exist.
	Create(ctx context.Context, e coach.Export) (coach.Export, error)

	// Get returns the user's export id, or ENOTFOUND.
	Get(ctx context.Context, userID, id string) (coach.Export, error)

	// List returns the user's exports, newest RequestedAt first (then id, descending), at most
	// Clamp(limit). An unknown user has none.
	List(ctx context.Context, userID string, limit int) ([]coach.Export, error)

	// Start moves the user's queued export id to running with StartedAt at (raised to
	// RequestedAt if earlier) and returns it. A running export is returned unchanged (a retried
	// job builds it again). ECONFLICT for an export that has ended; ENOTFOUND if there is none.
	Start(ctx context.Context, userID, id string, at time.Time) (coach.Export, error)

	// Finish ends the user's running export id with o and returns it with changed
	// true. An export that already ended with o.Status is returned as stored with changed false,
	// so that the caller appends no second export.ready event. EINVALID if o is invalid;
	// ECONFLICT for a queued export (it must start first) or one that ended with the other
	// status; ENOTFOUND if there is none. The
	// check and the write are one atomic step against concurrent Finishes.
	Finish(ctx context.Context, userID, id string, o ExportOutcome) (exp coach.Export, changed bool, err error)

	// Expired returns exports of every user whose ExpiresAt is at or before now, earliest
	// ExpiresAt first (then id), at most Clamp(limit): what a retention job purges.
	Expired(ctx context.Context, now time.Time, limit int) ([]coach.Export, error)

	// Delete removes the user's export id (the caller deletes its blob first), or gives
	// ENOTFOUND.
	Delete(ctx context.Context, userID, id string) error
}
