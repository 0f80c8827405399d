package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// The event outbox is partitioned by month of ts: the partition of the month starting at m is
// event_outbox_pYYYYMM with bounds [m, m+1 month) in UTC. Only partitions so named, attached to
// event_outbox in the store's own schema, are ever created or dropped here.

// monthOf returns the first instant (UTC) of t's month.
func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// partitionName returns the name of the partition of the month starting at m.
func partitionName(m time.Time) string {
	return fmt.Sprintf("event_outbox_p%04d%02d", m.Year(), int(m.Month()))
}

// parsePartitionName returns the month of a partition named by partitionName.
func parsePartitionName(name string) (time.Time, bool) {
	s, ok := strings.CutPrefix(name, "event_outbox_p")
	if !ok || len(s) != 6 {
		return time.Time{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n%100 < 1 || n%100 > 12 || n/100 < 1 {
		return time.Time{}, false
	}
	return time.Date(n/100, time.Month(n%100), 1, 0, 0, 0, 0, time.UTC), true
}

// EnsurePartitions makes the event outbox partitions of now's month and the monthsAhead months
// after it, those that do not exist yet. Safe to call from several processes at once: they take
// turns under an advisory lock of the schema. Open calls it; so should periodic maintenance.
func (db *DB) EnsurePartitions(ctx context.Context, now time.Time, monthsAhead int) error {
	if monthsAhead < 0 || monthsAhead > 1200 {
		return coach.Errorf(coach.EINVALID, "monthsAhead: want 0 to 1200, got %d", monthsAhead)
	}
	first := monthOf(now)
	var made []time.Time
	err := formatError(db.inOwnTx(ctx, func(q querier) error {
		made = made[:0]
		if err := db.lockPartitions(ctx, q); err != nil {
			return err
		}
		have, err := db.partitions(ctx, q)
		if err != nil {
			return err
		}
		for i := 0; i <= monthsAhead; i++ {
			m := first.AddDate(0, i, 0)
			if m.Year() > 9999 {
				break
			}
			if !have[m] {
				if err := db.createPartition(ctx, q, m); err != nil {
					return err
				}
			}
			made = append(made, m)
		}
		return nil
	}))
	if err != nil {
		return err
	}
	for _, m := range made {
		db.parts.Store(m.Unix(), struct{}{})
	}
	return nil
}

// DropPartitionsBefore drops the event outbox partitions that hold only events before cutoff
// (their upper bound is at or before it) and returns how many it dropped. Whatever cutoff says,
// it never drops the partition holding the store clock's present or any later one, so a
// retention of zero cannot empty the outbox; a zero cutoff drops nothing. The retention horizon
// moves to the upper bound of the newest partition dropped: a replay from before it is EGONE.
func (db *DB) DropPartitionsBefore(ctx context.Context, cutoff time.Time) (int, error) {
	if cutoff.IsZero() {
		return 0, nil
	}
	var dropped int
	err := formatError(db.inOwnTx(ctx, func(q querier) error {
		var err error
		dropped, _, err = db.dropPartitions(ctx, q, cutoff, false)
		return err
	}))
	return dropped, err
}

// lockPartitions takes the schema's partition maintenance lock until the transaction ends.
func (db *DB) lockPartitions(ctx context.Context, q querier) error {
	_, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("partitions", db.cfg.Schema))
	return err
}

// partitions returns the months whose partition exists, looked up through pg_inherits among the
// children of event_outbox in the store's schema.
func (db *DB) partitions(ctx context.Context, q querier) (map[time.Time]bool, error) {
	rows, err := q.Query(ctx, `SELECT c.relname FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid
		JOIN pg_class p ON p.oid = i.inhparent
		JOIN pg_namespace n ON n.oid = p.relnamespace
		WHERE p.relname = 'event_outbox' AND n.nspname = $1`, db.cfg.Schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[time.Time]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if m, ok := parsePartitionName(name); ok {
			have[m] = true
		}
	}
	return have, rows.Err()
}

// createPartition makes the partition of the month starting at m.
func (db *DB) createPartition(ctx context.Context, q querier, m time.Time) error {
	const layout = "2006-01-02 15:04:05Z07:00"
	sql := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s.%s PARTITION OF %s.event_outbox FOR VALUES FROM ('%s') TO ('%s')`,
		db.cfg.Schema, partitionName(m), db.cfg.Schema, m.Format(layout), m.AddDate(0, 1, 0).Format(layout))
	_, err := q.Exec(ctx, sql)
	return err
}

// ensureMonth makes sure the partition for an event at ts exists, inside the appending
// transaction of scope s. Months already known to exist cost nothing; a month that turns out to
// exist (and was not made by this very transaction, which may still roll back) becomes known.
func (db *DB) ensureMonth(ctx context.Context, s *scope, q querier, ts time.Time) error {
	m := monthOf(ts)
	if _, ok := db.parts.Load(m.Unix()); ok {
		return nil
	}
	if s.madeParts[m] {
		return nil
	}
	if m.Year() > 9999 || m.Year() < 1 {
		return coach.Errorf(coach.EINVALID, "event time %s: outside years 1 to 9999", ts.Format(time.RFC3339))
	}
	if err := db.lockPartitions(ctx, q); err != nil {
		return err
	}
	have, err := db.partitions(ctx, q)
	if err != nil {
		return err
	}
	if have[m] {
		db.parts.Store(m.Unix(), struct{}{})
		return nil
	}
	if err := db.createPartition(ctx, q, m); err != nil {
		return err
	}
	if s.tx == nil {
		// A transaction of the call's own: it commits before anyone else relies on the cache,
		// or fails and the cache is not consulted for it (see madeParts).
		return nil
	}
	if s.madeParts == nil {
		s.madeParts = map[time.Time]bool{}
	}
	s.madeParts[m] = true
	return nil
}

// dropPartitions drops the partitions whose upper bound is at or before cutoff and at or before
// the clock's present (the guard), moves the retention horizon to the newest upper bound dropped
// and returns how many partitions it dropped and, if count, how many events they held.
func (db *DB) dropPartitions(ctx context.Context, q querier, cutoff time.Time, count bool) (parts, events int, err error) {
	if err := db.lockPartitions(ctx, q); err != nil {
		return 0, 0, err
	}
	have, err := db.partitions(ctx, q)
	if err != nil {
		return 0, 0, err
	}
	now := db.clock.Now()
	var horizon time.Time
	for m := range have {
		upper := m.AddDate(0, 1, 0)
		if upper.After(cutoff) || upper.After(now) {
			continue
		}
		name := db.cfg.Schema + "." + partitionName(m)
		if count {
			var n int
			if err := q.QueryRow(ctx, `SELECT count(*) FROM `+name).Scan(&n); err != nil {
				return 0, 0, err
			}
			events += n
		}
		if _, err := q.Exec(ctx, `DROP TABLE `+name); err != nil {
			return 0, 0, err
		}
		db.parts.Delete(m.Unix())
		parts++
		if upper.After(horizon) {
			horizon = upper
		}
	}
	if parts > 0 {
		if err := moveHorizon(ctx, q, horizon); err != nil {
			return 0, 0, err
		}
	}
	return parts, events, nil
}

// moveHorizon moves the retention horizon forward to h (never back).
func moveHorizon(ctx context.Context, q querier, h time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO {schema}.event_retention (singleton, horizon) VALUES (true, $1)
		ON CONFLICT (singleton) DO UPDATE SET horizon = greatest(event_retention.horizon, excluded.horizon)`, h)
	return err
}
