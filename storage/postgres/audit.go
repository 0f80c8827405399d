package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// auditLog is storage.AuditLog. Empty meta is stored as NULL.
type auditLog struct{ s *scope }

const auditCols = `id, user_id, action, meta, created_at`

func scanAudit(row pgx.Row) (coach.Audit, error) {
	var a coach.Audit
	err := row.Scan(&a.ID, &a.UserID, &a.Action, &a.Meta, &a.CreatedAt)
	a.CreatedAt = a.CreatedAt.UTC()
	return a, err
}

// Append stores a. ECONFLICT if its id is taken; ENOTFOUND if the user does not exist.
func (r auditLog) Append(ctx context.Context, a coach.Audit) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := checkJSON("meta", a.Meta); err != nil {
		return err
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `INSERT INTO {schema}.audit (`+auditCols+`)
			SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $2)
			ON CONFLICT DO NOTHING`,
			a.ID, a.UserID, a.Action, nullBytes(a.Meta), a.CreatedAt)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		return conflictOrMissingUser(ctx, q, a.UserID, "an audit row with this id already exists")
	})
}

// List returns the user's audit rows, newest first, at most Clamp(limit).
func (r auditLog) List(ctx context.Context, userID string, limit int) ([]coach.Audit, error) {
	if !textOK(userID) {
		return nil, nil
	}
	var out []coach.Audit
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+auditCols+` FROM {schema}.audit WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
			userID, storage.Clamp(limit))
		if err != nil {
			return err
		}
		out, err = collect(rows, scanAudit)
		return err
	})
	return out, err
}
