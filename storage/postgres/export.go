package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// exports is storage.Exports. Start and Finish are compare-and-set updates on the export's
// status: of two concurrent calls on one export, the second sees the first's outcome.
type exports struct{ s *scope }

// Exports returns the export repository.
func (r repos) Exports() storage.Exports { return exports(r) }

const exportCols = `id, user_id, status, requested_at, started_at, finished_at, expires_at, size, sha256, error_code, error_message`

func scanExport(row pgx.Row) (coach.Export, error) {
	var (
		e         coach.Export
		code, msg *string
	)
	if err := row.Scan(&e.ID, &e.UserID, &e.Status, &e.RequestedAt, &e.StartedAt, &e.FinishedAt, &e.ExpiresAt,
		&e.Size, &e.SHA256, &code, &msg); err != nil {
		return e, err
	}
	if code != nil && msg != nil {
		e.Error = &coach.ErrorPayload{Code: *code, Message: *msg}
	}
	e.RequestedAt = e.RequestedAt.UTC()
	e.StartedAt, e.FinishedAt, e.ExpiresAt = utcPtr(e.StartedAt), utcPtr(e.FinishedAt), utcPtr(e.ExpiresAt)
	return e, nil
}

// exportNotFound is the error for an export that does not exist or belongs to another user.
func exportNotFound() error { return coach.Errorf(coach.ENOTFOUND, "export not found") }

// Create stores the queued export e. A zero RequestedAt is set to the store's clock. ECONFLICT if
// the id is taken; ENOTFOUND if the user does not exist.
func (r exports) Create(ctx context.Context, e coach.Export) (coach.Export, error) {
	if e.RequestedAt.IsZero() {
		e.RequestedAt = r.s.db.clock.Now()
	}
	if err := e.Validate(); err != nil {
		return coach.Export{}, err
	}
	if e.Status != coach.ExportQueued {
		return coach.Export{}, coach.Errorf(coach.EINVALID, "status: an export is created queued")
	}
	var out coach.Export
	err := r.s.write(ctx, func(q querier) error {
		var err error
		out, err = scanExport(q.QueryRow(ctx, `INSERT INTO {schema}.exports (id, user_id, status, requested_at)
			SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $2)
			ON CONFLICT DO NOTHING
			RETURNING `+exportCols, e.ID, e.UserID, e.Status, e.RequestedAt))
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
			return conflictOrMissingUser(ctx, q, e.UserID, "an export with this id already exists")
		}
		return err
	})
	if err != nil {
		return coach.Export{}, err
	}
	return out, nil
}

// Get returns the user's export id, or ENOTFOUND.
func (r exports) Get(ctx context.Context, userID, id string) (coach.Export, error) {
	if !textOK(userID) || !textOK(id) {
		return coach.Export{}, exportNotFound()
	}
	var out coach.Export
	err := r.s.read(ctx, func(q querier) (err error) {
		out, err = getExport(ctx, q, userID, id)
		return err
	})
	return out, err
}

// getExport reads the user's export id on q, or gives ENOTFOUND.
func getExport(ctx context.Context, q querier, userID, id string) (coach.Export, error) {
	out, err := scanExport(q.QueryRow(ctx, `SELECT `+exportCols+` FROM {schema}.exports WHERE user_id = $1 AND id = $2`, userID, id))
	if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
		return coach.Export{}, exportNotFound()
	}
	return out, err
}

// List returns the user's exports, newest first, at most Clamp(limit).
func (r exports) List(ctx context.Context, userID string, limit int) ([]coach.Export, error) {
	if !textOK(userID) {
		return nil, nil
	}
	var out []coach.Export
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+exportCols+` FROM {schema}.exports WHERE user_id = $1
			ORDER BY requested_at DESC, id DESC LIMIT $2`, userID, storage.Clamp(limit))
		if err != nil {
			return err
		}
		out, err = collect(rows, scanExport)
		return err
	})
	return out, err
}

// Start moves the user's queued export to running; a running export is returned as it is.
func (r exports) Start(ctx context.Context, userID, id string, at time.Time) (coach.Export, error) {
	if at.IsZero() {
		return coach.Export{}, coach.Errorf(coach.EINVALID, "at: required")
	}
	if !textOK(userID) || !textOK(id) {
		return coach.Export{}, exportNotFound()
	}
	var out coach.Export
	err := r.s.write(ctx, func(q querier) error {
		var err error
		out, err = scanExport(q.QueryRow(ctx, `UPDATE {schema}.exports
			SET status = 'running', started_at = greatest($3, requested_at)
			WHERE user_id = $1 AND id = $2 AND status = 'queued'
			RETURNING `+exportCols, userID, id, at))
		if coach.ErrorCode(formatError(err)) != coach.ENOTFOUND {
			return err
		}
		if out, err = getExport(ctx, q, userID, id); err != nil {
			return err
		}
		if out.Final() {
			return coach.Errorf(coach.ECONFLICT, "export %s has ended (%s)", id, out.Status)
		}
		return nil
	})
	if err != nil {
		return coach.Export{}, err
	}
	return out, nil
}

// Finish ends the user's running export with o; one that ended with o.Status already is returned
// as stored, with changed false.
func (r exports) Finish(ctx context.Context, userID, id string, o storage.ExportOutcome) (coach.Export, bool, error) {
	if err := o.Validate(); err != nil {
		return coach.Export{}, false, err
	}
	var code, msg *string
	if o.Error != nil {
		if err := checkText("error.message", o.Error.Message); err != nil {
			return coach.Export{}, false, err
		}
		code, msg = &o.Error.Code, &o.Error.Message
	}
	if !textOK(userID) || !textOK(id) {
		return coach.Export{}, false, exportNotFound()
	}
	var (
		out     coach.Export
		changed bool
	)
	err := r.s.write(ctx, func(q querier) error {
		var err error
		out, err = scanExport(q.QueryRow(ctx, `UPDATE {schema}.exports
			SET status = $3, size = $4, sha256 = $5, error_code = $6, error_message = $7,
				finished_at = greatest($8, started_at), expires_at = greatest($9, $8, started_at)
			WHERE user_id = $1 AND id = $2 AND status = 'running'
			RETURNING `+exportCols, userID, id, o.Status, o.Size, o.SHA256, code, msg, o.At, o.ExpiresAt))
		if coach.ErrorCode(formatError(err)) != coach.ENOTFOUND {
			changed = err == nil
			return err
		}
		if out, err = getExport(ctx, q, userID, id); err != nil {
			return err
		}
		switch {
		case out.Status == o.Status:
			return nil
		case out.Status == coach.ExportQueued:
			return coach.Errorf(coach.ECONFLICT, "export %s has not started", id)
		}
		return coach.Errorf(coach.ECONFLICT, "export %s already ended %s", id, out.Status)
	})
	if err != nil {
		return coach.Export{}, false, err
	}
	return out, changed, nil
}

// Expired returns every user's exports whose ExpiresAt is at or before now, earliest first.
func (r exports) Expired(ctx context.Context, now time.Time, limit int) ([]coach.Export, error) {
	var out []coach.Export
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+exportCols+` FROM {schema}.exports WHERE expires_at IS NOT NULL AND expires_at <= $1
			ORDER BY expires_at, id LIMIT $2`, now, storage.Clamp(limit))
		if err != nil {
			return err
		}
		out, err = collect(rows, scanExport)
		return err
	})
	return out, err
}

// Delete removes the user's export id, or gives ENOTFOUND.
func (r exports) Delete(ctx context.Context, userID, id string) error {
	if !textOK(userID) || !textOK(id) {
		return exportNotFound()
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.exports WHERE user_id = $1 AND id = $2`, userID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return exportNotFound()
		}
		return nil
	})
}
