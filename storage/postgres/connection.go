package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
)

// connections is storage.Connections. Sealed tokens are stored as they come (bytea); an empty
// token is NULL.
type connections struct{ s *scope }

const connectionCols = `id, user_id, broker, status, access_enc, refresh_enc, scope, expires_at, created_at, label`

func scanConnection(row pgx.Row) (coach.BrokerConnection, error) {
	var c coach.BrokerConnection
	err := row.Scan(&c.ID, &c.UserID, &c.Broker, &c.Status, &c.AccessEnc, &c.RefreshEnc, &c.Scope, &c.ExpiresAt, &c.CreatedAt, &c.Label)
	c.CreatedAt = c.CreatedAt.UTC()
	c.ExpiresAt = utcPtr(c.ExpiresAt)
	return c, err
}

func checkConnection(c coach.BrokerConnection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := checkText("scope", c.Scope); err != nil {
		return err
	}
	return checkText("label", c.Label)
}

// nullBytes maps an empty byte slice to SQL NULL.
func nullBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// Create stores c. ECONFLICT if its id is taken; ENOTFOUND if its user does not exist.
func (r connections) Create(ctx context.Context, c coach.BrokerConnection) error {
	if err := checkConnection(c); err != nil {
		return err
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `INSERT INTO {schema}.broker_connections (`+connectionCols+`)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $2)
			ON CONFLICT DO NOTHING`,
			c.ID, c.UserID, c.Broker, c.Status, nullBytes(c.AccessEnc), nullBytes(c.RefreshEnc), c.Scope, c.ExpiresAt, c.CreatedAt, c.Label)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		return conflictOrMissingUser(ctx, q, c.UserID, "a connection with this id already exists")
	})
}

// Get returns the user's connection id, or ENOTFOUND.
func (r connections) Get(ctx context.Context, userID, id string) (coach.BrokerConnection, error) {
	if !textOK(userID) || !textOK(id) {
		return coach.BrokerConnection{}, coach.Errorf(coach.ENOTFOUND, "connection not found")
	}
	var c coach.BrokerConnection
	err := r.s.read(ctx, func(q querier) (err error) {
		c, err = scanConnection(q.QueryRow(ctx, `SELECT `+connectionCols+` FROM {schema}.broker_connections WHERE user_id = $1 AND id = $2`, userID, id))
		return err
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return coach.BrokerConnection{}, coach.Errorf(coach.ENOTFOUND, "connection not found")
	}
	return c, err
}

// List returns the user's connections, oldest first.
func (r connections) List(ctx context.Context, userID string) ([]coach.BrokerConnection, error) {
	if !textOK(userID) {
		return nil, nil
	}
	var out []coach.BrokerConnection
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+connectionCols+` FROM {schema}.broker_connections WHERE user_id = $1 ORDER BY created_at, id`, userID)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanConnection)
		return err
	})
	return out, err
}

// Update replaces the mutable fields of c, matched by (c.UserID, c.ID).
func (r connections) Update(ctx context.Context, c coach.BrokerConnection) error {
	if err := checkConnection(c); err != nil {
		return err
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `UPDATE {schema}.broker_connections
			SET status = $3, access_enc = $4, refresh_enc = $5, scope = $6, expires_at = $7, label = $8
			WHERE user_id = $1 AND id = $2`,
			c.UserID, c.ID, c.Status, nullBytes(c.AccessEnc), nullBytes(c.RefreshEnc), c.Scope, c.ExpiresAt, c.Label)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ENOTFOUND, "connection not found")
		}
		return nil
	})
}

// Rotate is Update conditioned on the stored refresh_enc (see storage.Connections). One UPDATE
// whose WHERE compares refresh_enc: a concurrent Rotate that committed first has changed the row,
// and PostgreSQL re-checks the WHERE against that version after the row lock is released, so the
// second one matches nothing and is ECONFLICT.
func (r connections) Rotate(ctx context.Context, c coach.BrokerConnection, prevRefreshEnc []byte) error {
	if err := checkConnection(c); err != nil {
		return err
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `UPDATE {schema}.broker_connections
			SET status = $3, access_enc = $4, refresh_enc = $5, scope = $6, expires_at = $7, label = $8
			WHERE user_id = $1 AND id = $2 AND refresh_enc IS NOT DISTINCT FROM $9`,
			c.UserID, c.ID, c.Status, nullBytes(c.AccessEnc), nullBytes(c.RefreshEnc), c.Scope, c.ExpiresAt, c.Label,
			nullBytes(prevRefreshEnc))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var exists bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.broker_connections WHERE user_id = $1 AND id = $2)`,
			c.UserID, c.ID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return coach.Errorf(coach.ENOTFOUND, "connection not found")
		}
		return coach.Errorf(coach.ECONFLICT, "connection tokens were rotated concurrently")
	})
}

// Delete removes the connection and its checkpoints; its trades stay.
func (r connections) Delete(ctx context.Context, userID, id string) error {
	if !textOK(userID) || !textOK(id) {
		return coach.Errorf(coach.ENOTFOUND, "connection not found")
	}
	return r.s.write(ctx, func(q querier) error {
		var n int
		err := q.QueryRow(ctx, `WITH d AS (DELETE FROM {schema}.broker_connections WHERE user_id = $1 AND id = $2 RETURNING id),
			c AS (DELETE FROM {schema}.checkpoints WHERE user_id = $1 AND connection_id IN (SELECT id FROM d))
			SELECT count(*) FROM d`, userID, id).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			return coach.Errorf(coach.ENOTFOUND, "connection not found")
		}
		return nil
	})
}
