package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// digests is storage.Digests: at most one digest per (user_id, period_start).
type digests struct{ s *scope }

const digestCols = `id, user_id, period_start, period_end, payload, delivered_at, created_at`

func scanDigest(row pgx.Row) (coach.Digest, error) {
	var (
		d          coach.Digest
		start, end pgtype.Date
	)
	if err := row.Scan(&d.ID, &d.UserID, &start, &end, &d.Payload, &d.DeliveredAt, &d.CreatedAt); err != nil {
		return d, err
	}
	d.PeriodStart, d.PeriodEnd = coach.DateOf(start.Time.UTC()), coach.DateOf(end.Time.UTC())
	d.DeliveredAt = utcPtr(d.DeliveredAt)
	d.CreatedAt = d.CreatedAt.UTC()
	return d, nil
}

// sqlDate converts a calendar day to the driver's date.
func sqlDate(d coach.Date) pgtype.Date {
	return pgtype.Date{Time: d.In(time.UTC), Valid: true}
}

// Put stores d, or replaces the payload of the user's digest for d.PeriodStart (which keeps its
// ID, CreatedAt and DeliveredAt), and returns the digest as stored. A zero CreatedAt is set to
// the store's clock. ENOTFOUND if the user does not exist; ECONFLICT if d's id is another
// digest's.
func (r digests) Put(ctx context.Context, d coach.Digest) (coach.Digest, error) {
	if err := d.Validate(); err != nil {
		return coach.Digest{}, err
	}
	if err := checkJSON("payload", d.Payload); err != nil {
		return coach.Digest{}, err
	}
	if d.PeriodStart.Year < 1 || d.PeriodEnd.Year > 9999 {
		return coach.Digest{}, coach.Errorf(coach.EINVALID, "period: outside years 1 to 9999")
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = r.s.db.clock.Now()
	}
	var out coach.Digest
	err := r.s.write(ctx, func(q querier) error {
		var taken bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.digests WHERE id = $1 AND NOT (user_id = $2 AND period_start = $3))`,
			d.ID, d.UserID, sqlDate(d.PeriodStart)).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return coach.Errorf(coach.ECONFLICT, "a digest with this id already exists")
		}
		var err error
		out, err = scanDigest(q.QueryRow(ctx, `INSERT INTO {schema}.digests (`+digestCols+`)
			SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $2)
			ON CONFLICT (user_id, period_start) DO UPDATE SET payload = excluded.payload
			RETURNING `+digestCols,
			d.ID, d.UserID, sqlDate(d.PeriodStart), sqlDate(d.PeriodEnd), []byte(d.Payload), d.DeliveredAt, d.CreatedAt))
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
			return coach.Errorf(coach.ENOTFOUND, "user not found")
		}
		return err
	})
	if err != nil {
		return coach.Digest{}, err
	}
	return out, nil
}

// Get returns the user's digest id, or ENOTFOUND.
func (r digests) Get(ctx context.Context, userID, id string) (coach.Digest, error) {
	return r.one(ctx, `SELECT `+digestCols+` FROM {schema}.digests WHERE user_id = $1 AND id = $2`, userID, id)
}

// Latest returns the user's digest with the latest PeriodEnd, or ENOTFOUND.
func (r digests) Latest(ctx context.Context, userID string) (coach.Digest, error) {
	return r.one(ctx, `SELECT `+digestCols+` FROM {schema}.digests WHERE user_id = $1 ORDER BY period_end DESC, period_start DESC, id DESC LIMIT 1`, userID)
}

func (r digests) one(ctx context.Context, sql string, args ...string) (coach.Digest, error) {
	params := make([]any, len(args))
	for i, a := range args {
		if !textOK(a) {
			return coach.Digest{}, coach.Errorf(coach.ENOTFOUND, "digest not found")
		}
		params[i] = a
	}
	var d coach.Digest
	err := r.s.read(ctx, func(q querier) (err error) {
		d, err = scanDigest(q.QueryRow(ctx, sql, params...))
		return err
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return coach.Digest{}, coach.Errorf(coach.ENOTFOUND, "digest not found")
	}
	return d, err
}

// List returns the user's digests, latest PeriodEnd first, at most Clamp(limit).
func (r digests) List(ctx context.Context, userID string, limit int) ([]coach.Digest, error) {
	if !textOK(userID) {
		return nil, nil
	}
	var out []coach.Digest
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+digestCols+` FROM {schema}.digests WHERE user_id = $1
			ORDER BY period_end DESC, period_start DESC, id DESC LIMIT $2`, userID, storage.Clamp(limit))
		if err != nil {
			return err
		}
		out, err = collect(rows, scanDigest)
		return err
	})
	return out, err
}

// MarkDelivered sets DeliveredAt of the user's digest id, or gives ENOTFOUND.
func (r digests) MarkDelivered(ctx context.Context, userID, id string, at time.Time) error {
	if !textOK(userID) || !textOK(id) {
		return coach.Errorf(coach.ENOTFOUND, "digest not found")
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `UPDATE {schema}.digests SET delivered_at = $3 WHERE user_id = $1 AND id = $2`, userID, id, at)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ENOTFOUND, "digest not found")
		}
		return nil
	})
}

// DeleteEndedBefore removes every user's digests whose PeriodEnd is before day.
func (r digests) DeleteEndedBefore(ctx context.Context, day coach.Date) (int, error) {
	if day.IsZero() {
		return 0, nil
	}
	var n int
	err := r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.digests WHERE period_end < $1`, sqlDate(day))
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}

// EndedBefore returns every user's digests whose PeriodEnd is before day, in id order after
// afterID, at most Clamp(limit).
func (r digests) EndedBefore(ctx context.Context, day coach.Date, afterID string, limit int) ([]coach.Digest, error) {
	if day.IsZero() || !textOK(afterID) {
		return nil, nil
	}
	var out []coach.Digest
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+digestCols+` FROM {schema}.digests WHERE period_end < $1 AND id > $2
			ORDER BY id LIMIT $3`, sqlDate(day), afterID, storage.Clamp(limit))
		if err != nil {
			return err
		}
		out, err = collect(rows, scanDigest)
		return err
	})
	return out, err
}

// DeleteArchived removes the digest (d.UserID, d.ID) if its period end, payload (as jsonb) and
// delivered_at are still d's; ECONFLICT if they changed, ENOTFOUND if there is no such digest.
func (r digests) DeleteArchived(ctx context.Context, d coach.Digest) error {
	if !textOK(d.UserID) || !textOK(d.ID) {
		return coach.Errorf(coach.ENOTFOUND, "digest not found")
	}
	if err := checkJSON("payload", d.Payload); err != nil {
		return err
	}
	err := r.s.write(ctx, func(q querier) error {
		var deleted bool
		err := q.QueryRow(ctx, `WITH target AS (SELECT id, (period_end = $3 AND payload = $4::jsonb AND delivered_at IS NOT DISTINCT FROM $5) AS same
				FROM {schema}.digests WHERE user_id = $1 AND id = $2 FOR UPDATE),
			gone AS (DELETE FROM {schema}.digests WHERE id IN (SELECT id FROM target WHERE same) RETURNING id)
			SELECT EXISTS (SELECT 1 FROM gone) FROM target`,
			d.UserID, d.ID, sqlDate(d.PeriodEnd), []byte(d.Payload), d.DeliveredAt).Scan(&deleted)
		if err != nil {
			return err
		}
		if !deleted {
			return coach.Errorf(coach.ECONFLICT, "digest changed since it was read")
		}
		return nil
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return coach.Errorf(coach.ENOTFOUND, "digest not found")
	}
	return err
}
