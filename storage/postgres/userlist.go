package postgres

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// mergeZones is the most zones List reads through the (time_zone, id) index, one branch per
// zone merged in id order; with more, planning the union costs more than it saves, and List
// filters the rows after f.After in primary-key order instead.
const mergeZones = 32

// List returns the users matching f in id order (see storage.Users).
func (r users) List(ctx context.Context, f storage.UserFilter) ([]coach.User, error) {
	if f.After != "" && !coach.ValidID(f.After) {
		return nil, coach.Errorf(coach.EINVALID, "after: not a user id")
	}
	var zones []string
	if len(f.TimeZones) > 0 {
		for _, z := range f.TimeZones {
			if textOK(z) && !slices.Contains(zones, z) { // a zone no text column holds matches no one
				zones = append(zones, z)
			}
		}
		if len(zones) == 0 {
			return nil, nil
		}
	}
	args := []any{f.After, storage.Clamp(f.Limit)}
	cond := `id > $1`
	if !f.CreatedBefore.IsZero() {
		args = append(args, f.CreatedBefore)
		cond += ` AND created_at < $3`
	}
	var sql string
	switch {
	case len(zones) == 0:
		sql = `SELECT ` + userCols + ` FROM {schema}.users WHERE ` + cond + ` ORDER BY id LIMIT $2`
	case len(zones) <= mergeZones:
		// One index range (time_zone = z AND id > after) per zone, each already in id order:
		// PostgreSQL merges them (Merge Append) and stops after the limit.
		branches := make([]string, len(zones))
		for i, z := range zones {
			args = append(args, z)
			branches[i] = `(SELECT ` + userCols + ` FROM {schema}.users WHERE time_zone = $` + strconv.Itoa(len(args)) +
				` AND ` + cond + ` ORDER BY id LIMIT $2)`
		}
		sql = `SELECT ` + userCols + ` FROM (` + strings.Join(branches, ` UNION ALL `) + `) u ORDER BY id LIMIT $2`
	default:
		args = append(args, zones)
		sql = `SELECT ` + userCols + ` FROM {schema}.users WHERE time_zone = ANY($` + strconv.Itoa(len(args)) + `) AND ` + cond +
			` ORDER BY id LIMIT $2`
	}
	var out []coach.User
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (coach.User, error) { return scanUser(row) })
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TimeZones returns the distinct time zones of the stored users in byte order. A recursive query
// walks the (time_zone, id) index from one value to the next (a loose index scan), so it reads
// one index entry per distinct zone rather than every user.
func (r users) TimeZones(ctx context.Context) ([]string, error) {
	var out []string
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `WITH RECURSIVE z (time_zone) AS (
				(SELECT time_zone FROM {schema}.users ORDER BY time_zone LIMIT 1)
				UNION ALL
				SELECT (SELECT u.time_zone FROM {schema}.users u WHERE u.time_zone > z.time_zone ORDER BY u.time_zone LIMIT 1)
				FROM z WHERE z.time_zone IS NOT NULL)
			SELECT time_zone FROM z WHERE time_zone IS NOT NULL`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(out) // the index follows the column's collation; the contract is byte order
	return out, nil
}
