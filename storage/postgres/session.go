package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
)

// sessions is storage.Sessions. The token itself is never stored, only its hash.
type sessions struct{ s *scope }

const sessionCols = `id, user_id, created_at, expires_at, ip_hash, coalesce(ua_hash, ''), token_hash`

func scanSession(row pgx.Row) (coach.Session, error) {
	var s coach.Session
	err := row.Scan(&s.ID, &s.UserID, &s.CreatedAt, &s.ExpiresAt, &s.IPHash, &s.UAHash, &s.TokenHash)
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return s, err
}

// Create stores s. ECONFLICT if its id or token hash is taken; ENOTFOUND if its user does not
// exist.
func (r sessions) Create(ctx context.Context, s coach.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"ipHash", s.IPHash}, {"uaHash", s.UAHash}, {"tokenHash", s.TokenHash}} {
		if err := checkText(f.name, f.v); err != nil {
			return err
		}
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `INSERT INTO {schema}.sessions (id, user_id, created_at, expires_at, ip_hash, ua_hash, token_hash)
			SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $2)
			ON CONFLICT DO NOTHING`,
			s.ID, s.UserID, s.CreatedAt, s.ExpiresAt, s.IPHash, nullText(s.UAHash), s.TokenHash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		return conflictOrMissingUser(ctx, q, s.UserID, "a session with this id or token already exists")
	})
}

// conflictOrMissingUser explains an insert guarded by the user's existence and ON CONFLICT DO
// NOTHING that stored nothing: ENOTFOUND if the user does not exist, else ECONFLICT with msg.
func conflictOrMissingUser(ctx context.Context, q querier, userID, msg string) error {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.users WHERE id = $1)`, userID).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return coach.Errorf(coach.ENOTFOUND, "user not found")
	}
	return coach.Errorf(coach.ECONFLICT, "%s", msg)
}

// ByTokenHash returns the session with that token hash, or ENOTFOUND.
func (r sessions) ByTokenHash(ctx context.Context, tokenHash string) (coach.Session, error) {
	if !textOK(tokenHash) {
		return coach.Session{}, coach.Errorf(coach.ENOTFOUND, "session not found")
	}
	var s coach.Session
	err := r.s.read(ctx, func(q querier) (err error) {
		s, err = scanSession(q.QueryRow(ctx, `SELECT `+sessionCols+` FROM {schema}.sessions WHERE token_hash = $1`, tokenHash))
		return err
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return coach.Session{}, coach.Errorf(coach.ENOTFOUND, "session not found")
	}
	return s, err
}

// List returns the user's sessions, newest first.
func (r sessions) List(ctx context.Context, userID string) ([]coach.Session, error) {
	if !textOK(userID) {
		return nil, nil
	}
	var out []coach.Session
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+sessionCols+` FROM {schema}.sessions WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanSession)
		return err
	})
	return out, err
}

// Delete removes one of the user's sessions, or gives ENOTFOUND.
func (r sessions) Delete(ctx context.Context, userID, id string) error {
	n, err := r.delete(ctx, `DELETE FROM {schema}.sessions WHERE user_id = $1 AND id = $2`, userID, id)
	if err == nil && n == 0 {
		return coach.Errorf(coach.ENOTFOUND, "session not found")
	}
	return err
}

// Touch sets the expiry of one of the user's sessions.
func (r sessions) Touch(ctx context.Context, userID, id string, expiresAt time.Time) error {
	if !textOK(userID) || !textOK(id) {
		return coach.Errorf(coach.ENOTFOUND, "session not found")
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `UPDATE {schema}.sessions SET expires_at = $3 WHERE user_id = $1 AND id = $2 AND created_at < $3`,
			userID, id, expiresAt.UTC())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var found bool
			if err := q.QueryRow(ctx, `SELECT true FROM {schema}.sessions WHERE user_id = $1 AND id = $2`, userID, id).Scan(&found); err != nil {
				if errors.Is(err, pgx.ErrNoRows) {
					return coach.Errorf(coach.ENOTFOUND, "session not found")
				}
				return err
			}
			return coach.Errorf(coach.EINVALID, "expiresAt: must be after createdAt")
		}
		return nil
	})
}

// DeleteAll removes every session of the user and returns how many there were.
func (r sessions) DeleteAll(ctx context.Context, userID string) (int, error) {
	return r.delete(ctx, `DELETE FROM {schema}.sessions WHERE user_id = $1`, userID)
}

// DeleteExpired removes every session that expired at or before now.
func (r sessions) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.sessions WHERE expires_at <= $1`, now)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}

func (r sessions) delete(ctx context.Context, sql string, args ...string) (int, error) {
	params := make([]any, len(args))
	for i, a := range args {
		if !textOK(a) {
			return 0, nil
		}
		params[i] = a
	}
	var n int
	err := r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, sql, params...)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}

// collect reads every row with scan and closes rows.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
