package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tradecoach/coach"
)

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
		var ok bool
		var err error
		if out, ok, err = r.s.db.appendFast(ctx, r.s, q, userID, evs); err != nil || ok {
			return err
		}
		out, err = r.s.db.appendLocked(ctx, r.s, q, userID, evs)
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

// appendFastSQL is Append in one statement, for events stamped beforehand (as if the stream were
// empty) with the arguments of insertEventsSQL and the first id as $8, inserted into table (the
// outbox, or the one partition that holds every event). Its UPDATE locks the user's stream row
// (waiting for a transaction that holds it, then reading the row that transaction committed) and
// moves it to the last id only if the stream's last id is below the first: then the events are
// inserted, in the same statement; otherwise (or without a stream row) it changes nothing, and
// inserts nothing.
func appendFastSQL(table string) string {
	return `WITH s AS (UPDATE {schema}.event_streams SET last_id = $2 WHERE user_id = $1 AND last_id < $8 RETURNING 1)
	INSERT INTO {schema}.` + table + ` (id, user_id, type, v, ts, payload)
	SELECT id, $1, type, v, ts, payload FROM unnest($3::text[], $4::text[], $5::int2[], $6::timestamptz[], $7::jsonb[])
		AS u(id, type, v, ts, payload)
	WHERE EXISTS (SELECT 1 FROM s)`
}

// lockStreamSQL locks the user's stream row until the transaction ends and reads its last id.
const lockStreamSQL = `SELECT last_id FROM {schema}.event_streams WHERE user_id = $1 FOR NO KEY UPDATE`

// appendFast tries Append in one round trip (appendFastSQL): the events get the ids that follow
// no one (coach.NextEventID at the clock's now after ""), which are the ids that follow the
// stream's last id whenever that id is older than now — the common case. ok is false when
// nothing was written: the stream's last id is not below the first id (another append in the
// same millisecond, a clock behind the stream), the user has no stream row yet, or a month of
// the ids has no known partition; the caller then appends under the stream lock (appendLocked).
func (db *DB) appendFast(ctx context.Context, s *scope, q querier, userID string, evs []coach.Event) (out []coach.Event, ok bool, err error) {
	out, args, err := stampIDs(db.clock.Now(), "", userID, evs)
	if err != nil {
		return nil, false, err
	}
	// The events go straight into their month's partition (inserting through the partitioned
	// table costs a routing step on every call); across a month's end, through the outbox.
	table := partitionName(monthOf(out[0].TS))
	for _, e := range out {
		if !db.knownMonth(s, e.TS) {
			return nil, false, nil
		}
		if !monthOf(e.TS).Equal(monthOf(out[0].TS)) {
			table = "event_outbox"
		}
	}
	tag, err := q.Exec(ctx, appendFastSQL(table), append(args, out[0].ID)...)
	if err != nil {
		return out, false, err // out: what to look for if the connection was lost
	}
	return out, tag.RowsAffected() == int64(len(out)), nil
}

// appendLocked is Append under the stream lock, in the transaction q runs in: it locks the
// user's stream row (creating it on the first event), stamps the events after its last id and
// inserts them.
func (db *DB) appendLocked(ctx context.Context, s *scope, q querier, userID string, evs []coach.Event) ([]coach.Event, error) {
	last, err := lockStream(ctx, q, userID)
	if err != nil {
		return nil, err
	}
	out, args, err := db.stamp(ctx, s, q, userID, last, evs)
	if err != nil {
		return nil, err
	}
	if _, err = q.Exec(ctx, insertEventsSQL, args...); err != nil {
		return nil, err
	}
	return out, nil
}

// stamp gives evs, in order, the ids that follow last (coach.NextEventID at the clock's now) and
// the times those ids encode, makes sure their months have partitions, and returns the stamped
// events with the arguments of insertEventsSQL. It runs under the user's stream lock.
func (db *DB) stamp(ctx context.Context, s *scope, q querier, userID, last string, evs []coach.Event) ([]coach.Event, []any, error) {
	out, args, err := stampIDs(db.clock.Now(), last, userID, evs)
	if err != nil {
		return nil, nil, err
	}
	for i, e := range out {
		if i == 0 || !monthOf(e.TS).Equal(monthOf(out[i-1].TS)) {
			if err := db.ensureMonth(ctx, s, q, e.TS); err != nil {
				return nil, nil, err
			}
		}
	}
	return out, args, nil
}

// stampIDs gives evs, in order, the ids that follow last (coach.NextEventID at now) and the times
// those ids encode, and returns the stamped events with the arguments of insertEventsSQL.
func stampIDs(now time.Time, last, userID string, evs []coach.Event) ([]coach.Event, []any, error) {
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
		last = id
		e.ID, e.TS, e.DeliveredAt = id, ts, nil
		out[i] = e
		ids[i], types[i], vs[i], tss[i], payloads[i] = id, e.Type, e.V, ts, e.Payload
	}
	return out, []any{userID, last, ids, types, vs, tss, payloads}, nil
}

// appendOwnTx is Append outside InTx, in a transaction of its own. It first tries appendFast as
// one autocommitted statement (one round trip); when that writes nothing it runs appendLocked in
// a transaction of two round trips — BEGIN with the stream lock, then the insert with COMMIT.
//
// A connection lost on the way is handled without guessing: for the one statement, a fresh
// connection looks for its first event (its ids were made here), so a statement that committed
// is a success and one that did not runs once more when the server ended the session or nothing
// was sent; for the transaction, nothing was written if the connection died before the commit
// was sent, and it runs once more. Otherwise the outcome is unknown: EUNAVAILABLE.
func (db *DB) appendOwnTx(ctx context.Context, userID string, evs []coach.Event) ([]coach.Event, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		c, err := db.pool.Acquire(ctx)
		if err != nil {
			return nil, formatError(err)
		}
		out, ok, err := db.appendFast(ctx, db.repos.s, db.on(c.Conn()), userID, evs)
		if err == nil && ok {
			c.Release()
			return out, nil
		}
		if err != nil {
			dead := c.Conn().IsClosed() || connLost(err)
			c.Release()
			if !dead {
				return nil, formatError(err)
			}
			db.pool.Reset()
			committed, cerr := db.eventStored(ctx, out)
			switch {
			case cerr == nil && committed:
				return out, nil
			case cerr == nil && attempt == 0 && ctx.Err() == nil && (pgconn.SafeToRetry(err) || sessionEnded(err)):
				continue
			}
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

// eventStored reports whether the first of evs (stamped by appendFast) is stored, asked on a
// fresh connection.
func (db *DB) eventStored(ctx context.Context, evs []coach.Event) (bool, error) {
	if len(evs) == 0 {
		return false, nil
	}
	var found bool
	err := db.onConn(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.event_outbox WHERE id = $1 AND ts = $2)`,
			evs[0].ID, evs[0].TS).Scan(&found)
	})
	return found, err
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

// knownMonth reports whether ts's month has an event_outbox partition that this DB made or saw,
// or that the transaction of s made.
func (db *DB) knownMonth(s *scope, ts time.Time) bool {
	m := monthOf(ts)
	if _, ok := db.parts.Load(m.Unix()); ok {
		return true
	}
	return s.madeParts[m]
}
