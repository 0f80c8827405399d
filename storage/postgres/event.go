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

// Append stores the events of one user and returns them with their ID and TS (see
// storage.Events). It locks the user's row of event_streams until the transaction ends, reads
// the last id issued, gives each event coach.NextEventID(now, last) and records the new last id,
// so that ids grow in commit order. ENOTFOUND if the user does not exist.
func (r events) Append(ctx context.Context, evs ...coach.Event) ([]coach.Event, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	userID := evs[0].UserID
	for _, e := range evs {
		if err := e.Validate(); err != nil {
			return nil, err
		}
		if e.UserID != userID {
			return nil, coach.Errorf(coach.EINVALID, "events: all events of one Append must be for the same user")
		}
		if err := checkText("type", e.Type); err != nil {
			return nil, err
		}
		if err := checkJSON("payload", e.Payload); err != nil {
			return nil, err
		}
	}
	if !r.s.inTx() {
		return r.s.db.appendOwnTx(ctx, userID, evs)
	}
	var out []coach.Event
	err := r.s.write(ctx, func(q querier) error {
		last, err := lockStream(ctx, q, userID)
		if err != nil {
			return err
		}
		var args []any
		if out, args, err = r.s.db.stamp(ctx, r.s, q, userID, last, evs); err != nil {
			return err
		}
		_, err = q.Exec(ctx, insertEventsSQL, args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// insertEventsSQL stores stamped events and moves the user's stream to the last id; its
// arguments are those stamp returns.
const insertEventsSQL = `WITH s AS (UPDATE {schema}.event_streams SET last_id = $2 WHERE user_id = $1)
	INSERT INTO {schema}.event_outbox (id, user_id, type, v, ts, payload)
	SELECT id, $1, type, v, ts, payload FROM unnest($3::text[], $4::text[], $5::int2[], $6::timestamptz[], $7::jsonb[])
		AS u(id, type, v, ts, payload)`

// lockStreamSQL locks the user's stream row until the transaction ends and reads its last id.
const lockStreamSQL = `SELECT last_id FROM {schema}.event_streams WHERE user_id = $1 FOR NO KEY UPDATE`

// stamp gives evs, in order, the ids that follow last (coach.NextEventID at the clock's now) and
// the times those ids encode, makes sure their months have partitions, and returns the stamped
// events with the arguments of insertEventsSQL. It runs under the user's stream lock.
func (db *DB) stamp(ctx context.Context, s *scope, q querier, userID, last string, evs []coach.Event) ([]coach.Event, []any, error) {
	now := db.clock.Now()
	var (
		out      = make([]coach.Event, len(evs))
		ids      = make([]string, len(evs))
		types    = make([]string, len(evs))
		vs       = make([]int16, len(evs))
		tss      = make([]time.Time, len(evs))
		payloads = make([][]byte, len(evs))
	)
	for i, e := range evs {
		id, err := coach.NextEventID(now, last)
		if err != nil {
			return nil, nil, err
		}
		ts, err := coach.EventIDTime(id)
		if err != nil {
			return nil, nil, err
		}
		if i == 0 || !monthOf(ts).Equal(monthOf(tss[i-1])) {
			if err := db.ensureMonth(ctx, s, q, ts); err != nil {
				return nil, nil, err
			}
		}
		last = id
		e.ID, e.TS, e.DeliveredAt = id, ts, nil
		out[i] = e
		ids[i], types[i], vs[i], tss[i], payloads[i] = id, e.Type, e.V, ts, e.Payload
	}
	return out, []any{userID, last, ids, types, vs, tss, payloads}, nil
}

// appendOwnTx is Append outside InTx: a transaction of its own, in two round trips — BEGIN with
// the stream lock, then the insert with COMMIT. If the connection turns out to be dead before the
// commit is sent, nothing was written and it runs once more on a fresh connection; a connection
// lost with the commit in flight is EUNAVAILABLE.
func (db *DB) appendOwnTx(ctx context.Context, userID string, evs []coach.Event) ([]coach.Event, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		c, err := db.pool.Acquire(ctx)
		if err != nil {
			return nil, formatError(err)
		}
		out, committing, err := db.appendOn(ctx, c.Conn(), userID, evs)
		dead := err != nil && (c.Conn().IsClosed() || connLost(err))
		c.Release()
		if err == nil {
			return out, nil
		}
		if dead {
			db.pool.Reset()
			if !committing && attempt == 0 && ctx.Err() == nil {
				continue
			}
		}
		return nil, formatError(err)
	}
}

// appendOn runs appendOwnTx's transaction on conn. committing reports an error met while the
// COMMIT was in flight.
func (db *DB) appendOn(ctx context.Context, conn *pgx.Conn, userID string, evs []coach.Event) (out []coach.Event, committing bool, err error) {
	defer func() {
		if err != nil && !conn.IsClosed() && conn.PgConn().TxStatus() != 'I' {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if _, rerr := conn.Exec(rctx, "ROLLBACK"); rerr != nil {
				_ = conn.Close(rctx)
			}
		}
	}()
	q := db.on(conn)
	var last string
	found := true
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(lockStreamSQL, userID).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&last)
		if err == pgx.ErrNoRows {
			found = false
			return nil
		}
		return err
	})
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return nil, false, err
	}
	if !found {
		if last, err = lockStream(ctx, q, userID); err != nil {
			return nil, false, err
		}
	}
	out, args, err := db.stamp(ctx, db.repos.s, q, userID, last, evs)
	if err != nil {
		return nil, false, err
	}
	b = &pgx.Batch{}
	b.Queue(insertEventsSQL, args...)
	b.Queue("COMMIT")
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return nil, true, err
	}
	return out, false, nil
}

// lockStream locks the user's event stream row until the transaction ends and returns the last
// id issued ("" for none), creating the row on the user's first event. ENOTFOUND if the user
// does not exist.
func lockStream(ctx context.Context, q querier, userID string) (string, error) {
	var last string
	err := q.QueryRow(ctx, lockStreamSQL, userID).Scan(&last)
	if err == nil {
		return last, nil
	}
	if err != pgx.ErrNoRows {
		return "", err
	}
	if _, err := q.Exec(ctx, `INSERT INTO {schema}.event_streams (user_id, last_id)
		SELECT $1, '' WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $1)
		ON CONFLICT (user_id) DO NOTHING`, userID); err != nil {
		return "", err
	}
	err = q.QueryRow(ctx, lockStreamSQL, userID).Scan(&last)
	if err == pgx.ErrNoRows {
		return "", coach.Errorf(coach.ENOTFOUND, "user not found")
	}
	return last, err
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
