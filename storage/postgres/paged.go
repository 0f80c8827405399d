package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// The keyset reads an export pages through: tombstones, tag revisions by trade, the audit log.

// Tombstones returns the user's tombstones in (broker, ext_id) order, the primary key's.
func (r trades) Tombstones(ctx context.Context, userID string, after *storage.Tombstone, limit int) ([]storage.Tombstone, error) {
	if !textOK(userID) || after != nil && (!textOK(after.Broker) || !textOK(after.ExtID)) {
		return nil, nil
	}
	sql := `SELECT broker, ext_id, deleted_at FROM {schema}.trade_tombstones WHERE user_id = $1`
	args := []any{userID, storage.Clamp(limit)}
	if after != nil {
		sql += ` AND (broker, ext_id) > ($3, $4)`
		args = append(args, after.Broker, after.ExtID)
	}
	sql += ` ORDER BY broker, ext_id LIMIT $2`
	var out []storage.Tombstone
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = collect(rows, func(row pgx.Row) (storage.Tombstone, error) {
			var z storage.Tombstone
			err := row.Scan(&z.Broker, &z.ExtID, &z.DeletedAt)
			z.DeletedAt = z.DeletedAt.UTC()
			return z, err
		})
		return err
	})
	return out, err
}

// RevisionsByTrades returns every revision of every tag of the user's trades tradeIDs, ordered
// by trade id, tag id, revision.
func (r tags) RevisionsByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.BiasTag, error) {
	ids := make([]string, 0, len(tradeIDs))
	for _, id := range tradeIDs {
		if textOK(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || !textOK(userID) {
		return nil, nil
	}
	var out []coach.BiasTag
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+tagCols+` FROM {schema}.bias_tag_revisions g WHERE g.user_id = $1 AND g.trade_id = ANY($2)
			UNION ALL SELECT `+tagCols+` FROM {schema}.bias_tags g WHERE g.user_id = $1 AND g.trade_id = ANY($2)
			ORDER BY trade_id, id, revision`, userID, ids)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanTag)
		return err
	})
	return out, err
}

// Since returns the user's audit rows in (created_at, id) order after after, at most
// Clamp(limit).
func (r auditLog) Since(ctx context.Context, userID string, after *storage.AuditPos, limit int) ([]coach.Audit, error) {
	if !textOK(userID) || after != nil && !textOK(after.ID) {
		return nil, nil
	}
	sql := `SELECT ` + auditCols + ` FROM {schema}.audit WHERE user_id = $1`
	args := []any{userID, storage.Clamp(limit)}
	if after != nil {
		sql += ` AND (created_at, id) > ($3, $4)`
		args = append(args, after.CreatedAt, after.ID)
	}
	sql += ` ORDER BY created_at, id LIMIT $2`
	var out []coach.Audit
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanAudit)
		return err
	})
	return out, err
}
