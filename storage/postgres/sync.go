package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// syncs is storage.Syncs, over the synced_through column of broker_connections (migration 00014).
type syncs struct{ s *scope }

// Syncs returns when each connection was last imported.
func (r repos) Syncs() storage.Syncs { return syncs(r) }

const syncCols = `user_id, id, broker, status, created_at, synced_through`

func scanSync(row pgx.Row) (storage.ConnectionSync, error) {
	var c storage.ConnectionSync
	var through *time.Time
	err := row.Scan(&c.UserID, &c.ConnectionID, &c.Broker, &c.Status, &c.CreatedAt, &through)
	c.CreatedAt = c.CreatedAt.UTC()
	if through != nil {
		c.SyncedThrough = through.UTC()
	}
	return c, err
}

// MarkSynced moves synced_through in one UPDATE whose WHERE holds the rule, so that concurrent
// marks of one connection each see the other's result (PostgreSQL re-checks the WHERE against
// the row a concurrent update committed).
func (r syncs) MarkSynced(ctx context.Context, userID, connectionID string, from, to time.Time) (bool, error) {
	if from.IsZero() || !from.Before(to) {
		return false, coach.Errorf(coach.EINVALID, "sync window: from must be before to")
	}
	if !textOK(userID) || !textOK(connectionID) {
		return false, coach.Errorf(coach.ENOTFOUND, "connection not found")
	}
	var moved bool
	err := r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `UPDATE {schema}.broker_connections SET synced_through = $4
			WHERE user_id = $1 AND id = $2 AND (synced_through IS NULL OR (synced_through >= $3 AND synced_through < $4))`,
			userID, connectionID, from, to)
		if err != nil {
			return err
		}
		if moved = tag.RowsAffected() == 1; moved {
			return nil
		}
		var exists bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.broker_connections WHERE user_id = $1 AND id = $2)`,
			userID, connectionID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return coach.Errorf(coach.ENOTFOUND, "connection not found")
		}
		return nil
	})
	return moved, err
}

// State returns the user's connection's place in the sync schedule.
func (r syncs) State(ctx context.Context, userID, connectionID string) (storage.ConnectionSync, error) {
	if !textOK(userID) || !textOK(connectionID) {
		return storage.ConnectionSync{}, coach.Errorf(coach.ENOTFOUND, "connection not found")
	}
	var c storage.ConnectionSync
	err := r.s.read(ctx, func(q querier) (err error) {
		c, err = scanSync(q.QueryRow(ctx, `SELECT `+syncCols+` FROM {schema}.broker_connections WHERE user_id = $1 AND id = $2`,
			userID, connectionID))
		return err
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return storage.ConnectionSync{}, coach.Errorf(coach.ENOTFOUND, "connection not found")
	}
	return c, err
}

// Due pages through the active connections in id order over broker_connections_active_id.
func (r syncs) Due(ctx context.Context, f storage.SyncFilter) ([]storage.ConnectionSync, error) {
	if f.SyncedBefore.IsZero() {
		return nil, coach.Errorf(coach.EINVALID, "syncedBefore: required")
	}
	if f.After != "" && !coach.ValidID(f.After) {
		return nil, coach.Errorf(coach.EINVALID, "after: not a connection id")
	}
	skip := make([]string, 0, len(f.SkipBrokers))
	for _, b := range f.SkipBrokers {
		if textOK(b) { // a broker no text column holds skips no one
			skip = append(skip, b)
		}
	}
	var out []storage.ConnectionSync
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+syncCols+` FROM {schema}.broker_connections
			WHERE status = 'active' AND id > $1 AND NOT (broker = ANY($2))
				AND (synced_through IS NULL OR synced_through <= $3)
			ORDER BY id LIMIT $4`, f.After, skip, f.SyncedBefore, storage.Clamp(f.Limit))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.ConnectionSync, error) { return scanSync(row) })
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
