package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// deadLetters is storage.DeadLetters.
type deadLetters struct{ s *scope }

const deadLetterCols = `id, queue, task_type, task_id, payload, error, attempts, failed_at, user_id`

func scanDeadLetter(row pgx.Row) (storage.DeadLetter, error) {
	var (
		d    storage.DeadLetter
		user *string
	)
	err := row.Scan(&d.ID, &d.Queue, &d.TaskType, &d.TaskID, &d.Payload, &d.Error, &d.Attempts, &d.FailedAt, &user)
	d.FailedAt = d.FailedAt.UTC()
	if user != nil {
		d.UserID = *user
	}
	return d, err
}

// checkDeadLetter rejects a dead letter that cannot be stored: it needs an id of at most 256
// bytes, and its text fields must be storable as text.
func checkDeadLetter(d storage.DeadLetter) error {
	if d.ID == "" || len(d.ID) > 256 {
		return coach.Errorf(coach.EINVALID, "dead letter: id: want 1 to 256 bytes")
	}
	if d.FailedAt.IsZero() {
		return coach.Errorf(coach.EINVALID, "dead letter: failedAt: required")
	}
	if d.Attempts < 0 || d.Attempts > 1<<30 {
		return coach.Errorf(coach.EINVALID, "dead letter: attempts: out of range")
	}
	for _, f := range []struct{ name, v string }{{"id", d.ID}, {"queue", d.Queue}, {"taskType", d.TaskType}, {"taskId", d.TaskID}, {"error", d.Error}, {"userId", d.UserID}} {
		if err := checkText("dead letter: "+f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// Add stores d, replacing a dead letter with the same ID.
func (r deadLetters) Add(ctx context.Context, d storage.DeadLetter) error {
	if d.UserID == "" {
		d.UserID = storage.PayloadUserID(d.Payload)
	}
	if err := checkDeadLetter(d); err != nil {
		return err
	}
	var user *string
	if d.UserID != "" {
		user = &d.UserID
	}
	return r.s.write(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `INSERT INTO {schema}.dead_letters (`+deadLetterCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (id) DO UPDATE SET queue = excluded.queue, task_type = excluded.task_type, task_id = excluded.task_id,
				payload = excluded.payload, error = excluded.error, attempts = excluded.attempts, failed_at = excluded.failed_at,
				user_id = excluded.user_id`,
			d.ID, d.Queue, d.TaskType, d.TaskID, d.Payload, d.Error, d.Attempts, d.FailedAt, user)
		return err
	})
}

// List returns the dead letters of queue ("" for all), newest first, at most Clamp(limit).
func (r deadLetters) List(ctx context.Context, queue string, limit int) ([]storage.DeadLetter, error) {
	if !textOK(queue) {
		return nil, nil
	}
	var out []storage.DeadLetter
	err := r.s.read(ctx, func(q querier) error {
		var (
			rows pgx.Rows
			err  error
		)
		if queue == "" {
			rows, err = q.Query(ctx, `SELECT `+deadLetterCols+` FROM {schema}.dead_letters ORDER BY failed_at DESC, id DESC LIMIT $1`, storage.Clamp(limit))
		} else {
			rows, err = q.Query(ctx, `SELECT `+deadLetterCols+` FROM {schema}.dead_letters WHERE queue = $1 ORDER BY failed_at DESC, id DESC LIMIT $2`,
				queue, storage.Clamp(limit))
		}
		if err != nil {
			return err
		}
		out, err = collect(rows, scanDeadLetter)
		return err
	})
	return out, err
}

// Take removes and returns the dead letter id, or gives ENOTFOUND.
func (r deadLetters) Take(ctx context.Context, id string) (storage.DeadLetter, error) {
	if !textOK(id) {
		return storage.DeadLetter{}, coach.Errorf(coach.ENOTFOUND, "dead letter not found")
	}
	var d storage.DeadLetter
	err := r.s.write(ctx, func(q querier) (err error) {
		d, err = scanDeadLetter(q.QueryRow(ctx, `DELETE FROM {schema}.dead_letters WHERE id = $1 RETURNING `+deadLetterCols, id))
		return err
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return storage.DeadLetter{}, coach.Errorf(coach.ENOTFOUND, "dead letter not found")
	}
	return d, err
}

// DeleteFailedBefore removes every dead letter whose FailedAt is before cutoff and returns how
// many. A zero cutoff removes nothing.
func (r deadLetters) DeleteFailedBefore(ctx context.Context, cutoff time.Time) (int, error) {
	if cutoff.IsZero() {
		return 0, nil
	}
	var n int
	err := r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.dead_letters WHERE failed_at < $1`, cutoff)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}
