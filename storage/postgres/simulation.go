package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// simulationRuns is storage.SimulationRuns. Start and Finish are compare-and-set updates on the
// run's status: of two concurrent calls on one run, the second sees the first's outcome.
type simulationRuns struct{ s *scope }

// SimulationRuns returns the simulation run repository.
func (r repos) SimulationRuns() storage.SimulationRuns { return simulationRuns(r) }

const runCols = `id, user_id, status, params, result, error_code, error_message, created_at, started_at, finished_at`

func scanRun(row pgx.Row) (coach.SimulationRun, error) {
	var (
		r         coach.SimulationRun
		code, msg *string
	)
	if err := row.Scan(&r.ID, &r.UserID, &r.Status, &r.Params, &r.Result, &code, &msg, &r.CreatedAt, &r.StartedAt, &r.FinishedAt); err != nil {
		return r, err
	}
	if code != nil && msg != nil {
		r.Error = &coach.ErrorPayload{Code: *code, Message: *msg}
	}
	r.CreatedAt = r.CreatedAt.UTC()
	r.StartedAt, r.FinishedAt = utcPtr(r.StartedAt), utcPtr(r.FinishedAt)
	return r, nil
}

// runNotFound is the error for a run that does not exist or belongs to another user.
func runNotFound() error { return coach.Errorf(coach.ENOTFOUND, "simulation run not found") }

// Create stores the queued run r. A zero CreatedAt is set to the store's clock. ECONFLICT if the
// id is taken; ENOTFOUND if the user does not exist.
func (r simulationRuns) Create(ctx context.Context, run coach.SimulationRun) (coach.SimulationRun, error) {
	if run.CreatedAt.IsZero() {
		run.CreatedAt = r.s.db.clock.Now()
	}
	if err := run.Validate(); err != nil {
		return coach.SimulationRun{}, err
	}
	if run.Status != coach.SimulationQueued {
		return coach.SimulationRun{}, coach.Errorf(coach.EINVALID, "status: a run is created queued")
	}
	if err := checkJSON("params", run.Params); err != nil {
		return coach.SimulationRun{}, err
	}
	var out coach.SimulationRun
	err := r.s.write(ctx, func(q querier) error {
		var err error
		out, err = scanRun(q.QueryRow(ctx, `INSERT INTO {schema}.simulation_runs (id, user_id, status, params, created_at)
			SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $2)
			ON CONFLICT DO NOTHING
			RETURNING `+runCols,
			run.ID, run.UserID, run.Status, []byte(run.Params), run.CreatedAt))
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
			return conflictOrMissingUser(ctx, q, run.UserID, "a simulation run with this id already exists")
		}
		return err
	})
	if err != nil {
		return coach.SimulationRun{}, err
	}
	return out, nil
}

// Get returns the user's run id, or ENOTFOUND.
func (r simulationRuns) Get(ctx context.Context, userID, id string) (coach.SimulationRun, error) {
	if !textOK(userID) || !textOK(id) {
		return coach.SimulationRun{}, runNotFound()
	}
	var out coach.SimulationRun
	err := r.s.read(ctx, func(q querier) (err error) {
		out, err = getRun(ctx, q, userID, id)
		return err
	})
	return out, err
}

// getRun reads the user's run id on q, or gives ENOTFOUND.
func getRun(ctx context.Context, q querier, userID, id string) (coach.SimulationRun, error) {
	out, err := scanRun(q.QueryRow(ctx, `SELECT `+runCols+` FROM {schema}.simulation_runs WHERE user_id = $1 AND id = $2`, userID, id))
	if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
		return coach.SimulationRun{}, runNotFound()
	}
	return out, err
}

// List returns the user's runs matching f, newest first, at most Clamp(f.Limit).
func (r simulationRuns) List(ctx context.Context, userID string, f storage.RunFilter) ([]coach.SimulationRun, error) {
	if !textOK(userID) || !textOK(f.Status) || f.After != nil && !textOK(f.After.ID) {
		return nil, nil
	}
	sql := `SELECT ` + runCols + ` FROM {schema}.simulation_runs WHERE user_id = $1 AND ($2 = '' OR status = $2)`
	args := []any{userID, f.Status, storage.Clamp(f.Limit)}
	if f.After != nil {
		sql += ` AND (created_at, id) < ($4, $5)`
		args = append(args, f.After.CreatedAt, f.After.ID)
	}
	sql += ` ORDER BY created_at DESC, id DESC LIMIT $3`
	var out []coach.SimulationRun
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanRun)
		return err
	})
	return out, err
}

// Start moves the user's queued run to running; a running run is returned as it is.
func (r simulationRuns) Start(ctx context.Context, userID, id string, at time.Time) (coach.SimulationRun, error) {
	if at.IsZero() {
		return coach.SimulationRun{}, coach.Errorf(coach.EINVALID, "at: required")
	}
	if !textOK(userID) || !textOK(id) {
		return coach.SimulationRun{}, runNotFound()
	}
	var out coach.SimulationRun
	err := r.s.write(ctx, func(q querier) error {
		var err error
		out, err = scanRun(q.QueryRow(ctx, `UPDATE {schema}.simulation_runs
			SET status = 'running', started_at = greatest($3, created_at)
			WHERE user_id = $1 AND id = $2 AND status = 'queued'
			RETURNING `+runCols, userID, id, at))
		if coach.ErrorCode(formatError(err)) != coach.ENOTFOUND {
			return err
		}
		// Not queued: already running (a retried job), ended, or absent.
		if out, err = getRun(ctx, q, userID, id); err != nil {
			return err
		}
		if out.Final() {
			return coach.Errorf(coach.ECONFLICT, "simulation run %s has ended (%s)", id, out.Status)
		}
		return nil
	})
	if err != nil {
		return coach.SimulationRun{}, err
	}
	return out, nil
}

// Finish ends the user's running run with o; a run that ended with o.Status already is returned
// as stored, with changed false.
func (r simulationRuns) Finish(ctx context.Context, userID, id string, o storage.RunOutcome) (coach.SimulationRun, bool, error) {
	if err := o.Validate(); err != nil {
		return coach.SimulationRun{}, false, err
	}
	var result []byte
	var code, msg *string
	if o.Result != nil {
		if err := checkJSON("result", o.Result); err != nil {
			return coach.SimulationRun{}, false, err
		}
		result = o.Result
	}
	if o.Error != nil {
		if err := checkText("error.message", o.Error.Message); err != nil {
			return coach.SimulationRun{}, false, err
		}
		code, msg = &o.Error.Code, &o.Error.Message
	}
	if !textOK(userID) || !textOK(id) {
		return coach.SimulationRun{}, false, runNotFound()
	}
	var (
		out     coach.SimulationRun
		changed bool
	)
	err := r.s.write(ctx, func(q querier) error {
		var err error
		out, err = scanRun(q.QueryRow(ctx, `UPDATE {schema}.simulation_runs
			SET status = $3, result = $4, error_code = $5, error_message = $6, finished_at = greatest($7, started_at)
			WHERE user_id = $1 AND id = $2 AND status = 'running'
			RETURNING `+runCols, userID, id, o.Status, result, code, msg, o.At))
		if coach.ErrorCode(formatError(err)) != coach.ENOTFOUND {
			changed = err == nil
			return err
		}
		// Not running: queued, ended already, or absent.
		if out, err = getRun(ctx, q, userID, id); err != nil {
			return err
		}
		switch {
		case out.Status == o.Status:
			return nil
		case out.Status == coach.SimulationQueued:
			return coach.Errorf(coach.ECONFLICT, "simulation run %s has not started", id)
		}
		return coach.Errorf(coach.ECONFLICT, "simulation run %s already ended %s", id, out.Status)
	})
	if err != nil {
		return coach.SimulationRun{}, false, err
	}
	return out, changed, nil
}
