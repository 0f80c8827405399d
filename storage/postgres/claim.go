package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// claimable is the condition that no other owner's unexpired lease holds the event_streams row
// s, over the named parameters @owner and @now.
const claimable = `(s.claim_owner IS NULL OR s.claim_owner = @owner OR s.claimed_until <= @now)`

// claimUsersSQL leases to @owner the users whose undelivered events come first (users in order
// of their oldest undelivered event, as many as @n events can hold) and returns them. Rows
// locked by an append in flight or by another claim are skipped, never waited for.
const claimUsersSQL = `WITH pending AS (
		SELECT user_id, min(ts) AS first_ts, count(*) AS n
		FROM {schema}.event_outbox WHERE delivered_at IS NULL GROUP BY user_id
	), ranked AS (
		SELECT p.user_id, sum(p.n) OVER (ORDER BY p.first_ts, p.user_id) - p.n AS before
		FROM pending p JOIN {schema}.event_streams s ON s.user_id = p.user_id
		WHERE ` + claimable + `
	), picked AS (
		SELECT s.user_id FROM {schema}.event_streams s JOIN ranked r ON r.user_id = s.user_id
		WHERE r.before < @n AND ` + claimable + `
		FOR UPDATE OF s SKIP LOCKED
	)
	UPDATE {schema}.event_streams s SET claim_owner = @owner, claimed_until = @until
	FROM picked WHERE s.user_id = picked.user_id
	RETURNING s.user_id`

// Claim leases users' undelivered events to owner (see storage.Events) in a transaction of its
// own: one statement locks the users' event_streams rows (SKIP LOCKED) and writes the lease on
// them, a second reads their undelivered events with a snapshot taken after the locks (so what
// another dispatcher released before is seen as delivered), then it commits. Nothing stays
// locked once it returns. Inside InTx the lease is part of the transaction instead.
func (r events) Claim(ctx context.Context, owner string, limit int, lease time.Duration) ([]coach.Event, error) {
	if owner == "" || !textOK(owner) || len(owner) > 200 {
		return nil, coach.Errorf(coach.EINVALID, "events: claim: owner must be 1-200 characters of text")
	}
	if lease <= 0 {
		return nil, coach.Errorf(coach.EINVALID, "events: claim: lease must be positive, got %s", lease)
	}
	n := storage.Clamp(limit)
	now := r.s.db.clock.Now()
	var out []coach.Event
	err := r.s.write(ctx, func(q querier) error {
		rows, err := q.Query(ctx, claimUsersSQL, pgx.NamedArgs{"owner": owner, "now": now, "until": now.Add(lease), "n": n})
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
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Release marks the delivered events and ends owner's leases in one transaction (see
// storage.Events). A stream row locked by an append in flight is skipped (its lease ends by
// itself, or owner's next Claim takes it again), so Release never waits for a writer and never
// deadlocks with a transaction appending for several users.
func (r events) Release(ctx context.Context, owner string, delivered []string, at time.Time) error {
	if owner == "" || !textOK(owner) {
		return coach.Errorf(coach.EINVALID, "events: release: owner must be text")
	}
	keys, tss := eventKeys(delivered)
	return r.s.write(ctx, func(q querier) error {
		b := &pgx.Batch{}
		if len(keys) > 0 {
			b.Queue(markDeliveredSQL, at, keys, tss)
		}
		b.Queue(`UPDATE {schema}.event_streams SET claim_owner = NULL, claimed_until = NULL
			WHERE user_id IN (SELECT user_id FROM {schema}.event_streams WHERE claim_owner = $1 FOR UPDATE SKIP LOCKED)`, owner)
		return q.SendBatch(ctx, b).Close()
	})
}

// markDeliveredSQL sets delivered_at ($1) on the undelivered events of ids $2 with times $3.
const markDeliveredSQL = `UPDATE {schema}.event_outbox SET delivered_at = $1
	WHERE (id, ts) IN (SELECT * FROM unnest($2::text[], $3::timestamptz[])) AND delivered_at IS NULL`

// eventKeys returns the primary keys (id in upper case, ts) of the event ids, leaving out what
// is not an event id.
func eventKeys(ids []string) ([]string, []time.Time) {
	keys := make([]string, 0, len(ids))
	tss := make([]time.Time, 0, len(ids))
	for _, id := range ids {
		ts, err := coach.EventIDTime(id)
		if err != nil {
			continue
		}
		keys = append(keys, strings.ToUpper(id))
		tss = append(tss, ts)
	}
	return keys, tss
}
