package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// events is storage.Events over the partitioned event_outbox.
type events struct{ s *scope }

const eventCols = `id, user_id, type, v, ts, payload, delivered_at`

func scanEvent(row pgx.Row) (coach.Event, error) {
	var e coach.Event
	err := row.Scan(&e.ID, &e.UserID, &e.Type, &e.V, &e.TS, &e.Payload, &e.DeliveredAt)
	e.TS = e.TS.UTC()
	e.DeliveredAt = utcPtr(e.DeliveredAt)
	return e, err
}

// Since returns the user's events after afterID in id order (see storage.Events). The events and
// the retention horizon are read in that order, so a prune that removed events the read missed
// has also moved the horizon the check then sees.
func (r events) Since(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error) {
	from := time.Time{}
	if afterID != "" {
		t, err := coach.EventIDTime(afterID)
		if err != nil {
			return nil, err
		}
		from, afterID = t, strings.ToUpper(afterID)
	}
	if !textOK(userID) {
		return nil, nil
	}
	var out []coach.Event
	err := r.s.read(ctx, func(q querier) error {
		var (
			rows pgx.Rows
			err  error
		)
		if afterID == "" {
			rows, err = q.Query(ctx, `SELECT `+eventCols+` FROM {schema}.event_outbox WHERE user_id = $1
				ORDER BY ts, id LIMIT $2`, userID, storage.Clamp(limit))
		} else {
			rows, err = q.Query(ctx, `SELECT `+eventCols+` FROM {schema}.event_outbox WHERE user_id = $1 AND ts >= $2 AND id > $3
				ORDER BY ts, id LIMIT $4`, userID, from, afterID, storage.Clamp(limit))
		}
		if err != nil {
			return err
		}
		if out, err = collect(rows, scanEvent); err != nil || afterID == "" {
			return err
		}
		var gone bool
		if err := q.QueryRow(ctx, `SELECT coalesce((SELECT horizon > $1 FROM {schema}.event_retention), false)`, from).Scan(&gone); err != nil {
			return err
		}
		if gone {
			out = nil
			return coach.Errorf(coach.EGONE, "events after %s are past retention; reload", afterID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Oldest returns the id of the user's oldest retained event, or ENOTFOUND.
func (r events) Oldest(ctx context.Context, userID string) (string, error) {
	if !textOK(userID) {
		return "", coach.Errorf(coach.ENOTFOUND, "no events")
	}
	var id string
	err := r.s.read(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT id FROM {schema}.event_outbox WHERE user_id = $1 ORDER BY ts, id LIMIT 1`, userID).Scan(&id)
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return "", coach.Errorf(coach.ENOTFOUND, "no events")
	}
	return id, err
}

// Newest returns the id of the user's newest retained event, or ENOTFOUND.
func (r events) Newest(ctx context.Context, userID string) (string, error) {
	if !textOK(userID) {
		return "", coach.Errorf(coach.ENOTFOUND, "no events")
	}
	var id string
	err := r.s.read(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT id FROM {schema}.event_outbox WHERE user_id = $1 ORDER BY ts DESC, id DESC LIMIT 1`, userID).Scan(&id)
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return "", coach.Errorf(coach.ENOTFOUND, "no events")
	}
	return id, err
}

// Undelivered returns up to limit undelivered events, oldest id first.
//
// Inside InTx it claims whole users, not rows: it locks (FOR UPDATE SKIP LOCKED) the event_streams
// rows of the users whose undelivered events come first — users in order of their oldest
// undelivered event, as many as the batch can hold — and returns only those users' events. A
// second dispatcher's Undelivered skips a claimed user entirely until the transaction ends, so
// two dispatchers never publish one user's events out of id order (a relay that has sent a later
// id would drop the earlier one as a repeat). A user whose append is in flight (its stream row is
// locked) is skipped too: none of its uncommitted events are visible anyway, and so is a user
// leased by Claim.
func (r events) Undelivered(ctx context.Context, limit int) ([]coach.Event, error) {
	n := storage.Clamp(limit)
	var out []coach.Event
	if !r.s.inTx() {
		err := r.s.read(ctx, func(q querier) error {
			rows, err := q.Query(ctx, `SELECT `+eventCols+` FROM {schema}.event_outbox WHERE delivered_at IS NULL ORDER BY ts, id LIMIT $1`, n)
			if err != nil {
				return err
			}
			out, err = collect(rows, scanEvent)
			return err
		})
		return out, err
	}
	// Two statements: the claim, then the read. The read takes its snapshot after the locks are
	// held, so it sees what another dispatcher committed before releasing a user, and does not
	// publish that user's just-delivered batch again.
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `WITH pending AS (
				SELECT user_id, min(ts) AS first_ts, count(*) AS n
				FROM {schema}.event_outbox WHERE delivered_at IS NULL GROUP BY user_id
			), ranked AS (
				SELECT user_id, sum(n) OVER (ORDER BY first_ts, user_id) - n AS before FROM pending
			)
			SELECT s.user_id FROM {schema}.event_streams s JOIN ranked r ON r.user_id = s.user_id
			WHERE r.before < $1 AND (s.claim_owner IS NULL OR s.claimed_until <= $2)
			FOR UPDATE OF s SKIP LOCKED`, n, r.s.db.clock.Now())
		if err != nil {
			return err
		}
		users, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(users) == 0 {
			return err
		}
		rows, err = q.Query(ctx, `SELECT `+eventCols+` FROM {schema}.event_outbox
			WHERE delivered_at IS NULL AND user_id = ANY($2)
			ORDER BY ts, id LIMIT $1`, n, users)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanEvent)
		return err
	})
	return out, err
}

// MarkDelivered sets DeliveredAt on the undelivered events with these ids; other ids (delivered,
// pruned or not event ids at all) are ignored.
func (r events) MarkDelivered(ctx context.Context, ids []string, at time.Time) error {
	keys, tss := eventKeys(ids)
	if len(keys) == 0 {
		return nil
	}
	return r.s.write(ctx, func(q querier) error {
		_, err := q.Exec(ctx, markDeliveredSQL, at, keys, tss)
		return err
	})
}

// Prune drops every event with TS before cutoff and returns how many (see storage.Events):
// whole partitions that end by cutoff (never the present month's or a later one) are dropped,
// the rows before cutoff of the partitions left are deleted, and the retention horizon moves to
// cutoff. A zero cutoff drops nothing.
func (r events) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	if cutoff.IsZero() {
		return 0, nil
	}
	var n int
	err := r.s.write(ctx, func(q querier) error {
		_, dropped, err := r.s.db.dropPartitions(ctx, q, cutoff, true)
		if err != nil {
			return err
		}
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.event_outbox WHERE ts < $1`, cutoff)
		if err != nil {
			return err
		}
		n = dropped + int(tag.RowsAffected())
		return moveHorizon(ctx, q, cutoff)
	})
	return n, err
}
