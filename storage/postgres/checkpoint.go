package postgres

import (
	"context"

	"github.com/tradecoach/coach"
)

// checkpoints is storage.Checkpoints, keyed by (user_id, connection_id, scope).
type checkpoints struct{ s *scope }

// Get returns the checkpoint, or ENOTFOUND.
func (r checkpoints) Get(ctx context.Context, userID, connectionID, scope string) (string, error) {
	if !textOK(userID) || !textOK(connectionID) || !textOK(scope) {
		return "", coach.Errorf(coach.ENOTFOUND, "checkpoint not found")
	}
	var v string
	err := r.s.read(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT value FROM {schema}.checkpoints WHERE user_id = $1 AND connection_id = $2 AND scope = $3`,
			userID, connectionID, scope).Scan(&v)
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return "", coach.Errorf(coach.ENOTFOUND, "checkpoint not found")
	}
	return v, err
}

// Put stores or replaces the checkpoint. ENOTFOUND if the user does not exist.
func (r checkpoints) Put(ctx context.Context, userID, connectionID, scope, value string) error {
	for _, f := range []struct{ name, v string }{{"userId", userID}, {"connectionId", connectionID}, {"scope", scope}, {"value", value}} {
		if err := checkText(f.name, f.v); err != nil {
			return err
		}
	}
	if userID == "" || connectionID == "" {
		return coach.Errorf(coach.EINVALID, "checkpoint: userId and connectionId are required")
	}
	now := r.s.db.clock.Now()
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `INSERT INTO {schema}.checkpoints (user_id, connection_id, scope, value, updated_at)
			SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $1)
			ON CONFLICT (user_id, connection_id, scope) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			userID, connectionID, scope, value, now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ENOTFOUND, "user not found")
		}
		return nil
	})
}

// List returns the connection's checkpoints by scope.
func (r checkpoints) List(ctx context.Context, userID, connectionID string) (map[string]string, error) {
	out := map[string]string{}
	if !textOK(userID) || !textOK(connectionID) {
		return out, nil
	}
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT scope, value FROM {schema}.checkpoints WHERE user_id = $1 AND connection_id = $2`, userID, connectionID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			out[k] = v
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
