package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// partitionNames lists the partitions of db's event_outbox, by name, from the catalog.
func partitionNames(t *testing.T, db *DB) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Pool().Query(ctx, `SELECT c.relname FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
		JOIN pg_namespace n ON n.oid = p.relnamespace
		WHERE p.relname = 'event_outbox' AND n.nspname = $1 ORDER BY 1`, db.Schema())
	must(t, err, "list partitions")
	var out []string
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s), "scan")
		out = append(out, s)
	}
	must(t, rows.Err(), "rows")
	return out
}

func TestPartitionName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		want time.Time
		ok   bool
	}{
		{"event_outbox_p202601", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"event_outbox_p999912", time.Date(9999, 12, 1, 0, 0, 0, 0, time.UTC), true},
		{"event_outbox_p202613", time.Time{}, false},
		{"event_outbox_p202600", time.Time{}, false},
		{"event_outbox_p2026011", time.Time{}, false},
		{"event_outbox_default", time.Time{}, false},
		{"event_outbox_p-20201", time.Time{}, false},
		{"other_p202601", time.Time{}, false},
	} {
		got, ok := parsePartitionName(tc.name)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parsePartitionName(%q) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
		if ok && partitionName(got) != tc.name {
			t.Errorf("partitionName(%v) = %q, want %q", got, partitionName(got), tc.name)
		}
	}
}

func FuzzPartitionName(f *testing.F) {
	for _, s := range []string{"event_outbox_p202601", "event_outbox_p000112", "event_outbox_p20260", "event_outbox_p+20201", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		m, ok := parsePartitionName(name)
		if !ok {
			return
		}
		if partitionName(m) != name || !monthOf(m).Equal(m) {
			t.Fatalf("parsePartitionName(%q) = %v, which names %q", name, m, partitionName(m))
		}
	})
}

// TestEnsurePartitions checks that the partitions of now's month and the months ahead are made,
// with UTC month bounds, that making them again changes nothing, and that a month boundary in a
// time zone ahead of UTC still counts by UTC.
func TestEnsurePartitions(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2031, 11, 30, 23, 30, 0, 0, time.UTC))
	db := MustOpenTestDBWith(t, func(c *Config) { c.Clock = clock; c.PartitionsAhead = 2 })
	ctx := context.Background()
	want := []string{"event_outbox_p203111", "event_outbox_p203112", "event_outbox_p203201"}
	if diff := cmp.Diff(want, partitionNames(t, db)); diff != "" {
		t.Fatalf("partitions after Open (-want +got):\n%s", diff)
	}
	// 2031-12-01 00:30 in Paris is still November in UTC.
	paris := time.FixedZone("CET", 3600)
	must(t, db.EnsurePartitions(ctx, time.Date(2031, 12, 1, 0, 30, 0, 0, paris), 0), "ensure again")
	must(t, db.EnsurePartitions(ctx, clock.Now(), 3), "ensure one more")
	want = append(want, "event_outbox_p203202")
	if diff := cmp.Diff(want, partitionNames(t, db)); diff != "" {
		t.Fatalf("partitions (-want +got):\n%s", diff)
	}
	var bound string
	must(t, db.Pool().QueryRow(ctx, `SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'event_outbox_p203112'`,
		db.Schema()).Scan(&bound), "bound")
	if want := "FOR VALUES FROM ('2031-12-01 00:00:00+00') TO ('2032-01-01 00:00:00+00')"; bound != want {
		t.Errorf("bounds %s, want %s", bound, want)
	}
	wantCode(t, db.EnsurePartitions(ctx, clock.Now(), -1), coach.EINVALID, "negative months ahead")
}

// TestDropPartitionsBeforeGuard checks that dropping is bounded by the cutoff, that the
// partition holding the present (and every later one) is never dropped whatever the cutoff —
// a retention of zero or less cannot empty the outbox — and that a zero cutoff drops nothing.
func TestDropPartitionsBeforeGuard(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2030, 1, 15, 0, 0, 0, 0, time.UTC))
	db := MustOpenTestDBWith(t, func(c *Config) { c.Clock = clock; c.PartitionsAhead = 5 })
	ctx := context.Background()
	u := newUser(t, db)
	// Events in January, then in March and April 2030 as the clock moves on.
	for _, at := range []time.Time{
		time.Date(2030, 1, 15, 0, 0, 0, 0, time.UTC),
		time.Date(2030, 3, 10, 0, 0, 0, 0, time.UTC),
		time.Date(2030, 4, 10, 0, 0, 0, 0, time.UTC),
	} {
		clock.Set(at)
		_, err := db.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: json.RawMessage(`{}`)})
		must(t, err, "append")
	}
	// Now is 2030-04-10. A zero cutoff drops nothing.
	n, err := db.DropPartitionsBefore(ctx, time.Time{})
	must(t, err, "drop zero")
	if n != 0 {
		t.Fatalf("zero cutoff dropped %d partitions", n)
	}
	// A cutoff mid-February drops January only (February's partition ends after the cutoff).
	n, err = db.DropPartitionsBefore(ctx, time.Date(2030, 2, 15, 0, 0, 0, 0, time.UTC))
	must(t, err, "drop before Feb 15")
	if n != 1 {
		t.Errorf("dropped %d partitions before Feb 15, want 1 (January)", n)
	}
	// A cutoff far in the future (a retention of zero, or a clock gone wrong) drops February and
	// March, never April (it holds now) nor the months after it.
	n, err = db.DropPartitionsBefore(ctx, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))
	must(t, err, "drop before 2099")
	if n != 2 {
		t.Errorf("dropped %d partitions before 2099, want 2 (February, March)", n)
	}
	want := []string{"event_outbox_p203004", "event_outbox_p203005", "event_outbox_p203006"}
	if diff := cmp.Diff(want, partitionNames(t, db)); diff != "" {
		t.Errorf("partitions left (-want +got):\n%s", diff)
	}
	evs, err := db.Events().Since(ctx, u.ID, "", 0)
	must(t, err, "since")
	if len(evs) != 1 || !evs[0].TS.Equal(time.Date(2030, 4, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("events left %v, want April's only", evs)
	}
	// The horizon moved to the end of March: a replay from January is gone.
	_, err = db.Events().Since(ctx, u.ID, coach.EventIDAt(time.Date(2030, 1, 20, 0, 0, 0, 0, time.UTC)), 0)
	wantCode(t, err, coach.EGONE, "since January after the drop")
	_, err = db.Events().Since(ctx, u.ID, coach.EventIDAt(time.Date(2030, 4, 1, 0, 0, 0, 0, time.UTC)), 0)
	wantCode(t, err, "", "since April 1")
}

// TestPartitionsAreScopedToTheSchema checks that partition maintenance of one store never touches
// another schema's outbox.
func TestPartitionsAreScopedToTheSchema(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2030, 6, 15, 0, 0, 0, 0, time.UTC))
	a := MustOpenTestDBWith(t, func(c *Config) { c.Clock = clock })
	b := MustOpenTestDBWith(t, func(c *Config) { c.Clock = clock })
	ctx := context.Background()
	must(t, a.EnsurePartitions(ctx, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 1), "ensure a")
	must(t, b.EnsurePartitions(ctx, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 1), "ensure b")
	n, err := a.DropPartitionsBefore(ctx, time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC))
	must(t, err, "drop a")
	if n != 2 {
		t.Errorf("dropped %d of a's partitions, want 2", n)
	}
	want := []string{"event_outbox_p203001", "event_outbox_p203002", "event_outbox_p203006", "event_outbox_p203007"}
	if diff := cmp.Diff(want, partitionNames(t, b)); diff != "" {
		t.Errorf("b's partitions after dropping a's (-want +got):\n%s", diff)
	}
}

// TestPruneDropsPartitionsAndTrimsTheBoundary checks Prune: whole months before the cutoff go
// with their partition, the boundary month keeps only rows at or after the cutoff, the count is
// every event removed, and the horizon moves to the cutoff.
func TestPruneDropsPartitionsAndTrimsTheBoundary(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2030, 1, 10, 0, 0, 0, 0, time.UTC))
	db := MustOpenTestDBWith(t, func(c *Config) { c.Clock = clock })
	ctx := context.Background()
	u := newUser(t, db)
	var all []coach.Event
	for _, at := range []time.Time{
		time.Date(2030, 1, 10, 0, 0, 0, 0, time.UTC),
		time.Date(2030, 1, 20, 0, 0, 0, 0, time.UTC),
		time.Date(2030, 2, 5, 0, 0, 0, 0, time.UTC),
		time.Date(2030, 2, 20, 0, 0, 0, 0, time.UTC),
		time.Date(2030, 3, 3, 0, 0, 0, 0, time.UTC),
	} {
		clock.Set(at)
		evs, err := db.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: json.RawMessage(`{}`)})
		must(t, err, "append")
		all = append(all, evs...)
	}
	cutoff := time.Date(2030, 2, 10, 0, 0, 0, 0, time.UTC)
	n, err := db.Events().Prune(ctx, cutoff)
	must(t, err, "prune")
	if n != 3 {
		t.Errorf("pruned %d events, want 3", n)
	}
	if names := partitionNames(t, db); len(names) == 0 || names[0] != "event_outbox_p203002" {
		t.Errorf("partitions after prune %v, want January's dropped", names)
	}
	oldest, err := db.Events().Oldest(ctx, u.ID)
	must(t, err, "oldest")
	if oldest != all[3].ID {
		t.Errorf("oldest %s, want %s", oldest, all[3].ID)
	}
	_, err = db.Events().Since(ctx, u.ID, all[2].ID, 0)
	wantCode(t, err, coach.EGONE, "since an id before the cutoff")
	got, err := db.Events().Since(ctx, u.ID, all[3].ID, 0)
	must(t, err, "since an id after the cutoff")
	if len(got) != 1 || got[0].ID != all[4].ID {
		t.Errorf("since %s = %v, want the last event", all[3].ID, got)
	}
	// A zero cutoff prunes nothing and keeps the horizon.
	n, err = db.Events().Prune(ctx, time.Time{})
	must(t, err, "prune zero")
	if n != 0 {
		t.Errorf("zero cutoff pruned %d", n)
	}
	// An earlier cutoff never moves the horizon back.
	_, err = db.Events().Prune(ctx, time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC))
	must(t, err, "prune earlier")
	_, err = db.Events().Since(ctx, u.ID, all[2].ID, 0)
	wantCode(t, err, coach.EGONE, "since an id before the first cutoff, after an earlier prune")
}

// TestAppendMakesAMissingPartition checks that an event for a month without a partition (a
// clock far ahead of maintenance) makes it, and that a transaction that made one and rolled back
// does not leave the store believing it exists.
func TestAppendMakesAMissingPartition(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2030, 1, 10, 0, 0, 0, 0, time.UTC))
	db := MustOpenTestDBWith(t, func(c *Config) { c.Clock = clock })
	ctx := context.Background()
	u := newUser(t, db)
	ev := coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: json.RawMessage(`{}`)}

	clock.Set(time.Date(2033, 7, 4, 0, 0, 0, 0, time.UTC))
	errRollback := errors.New("roll back")
	err := db.InTx(ctx, func(tx storage.Tx) error {
		if _, err := tx.Events().Append(ctx, ev); err != nil {
			return err
		}
		if _, err := tx.Events().Append(ctx, ev); err != nil { // the same month again, same transaction
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v, want the rollback error unchanged", err)
	}
	if names := partitionNames(t, db); containsString(names, "event_outbox_p203307") {
		t.Fatalf("the rolled-back partition exists: %v", names)
	}
	_, err = db.Events().Append(ctx, ev)
	must(t, err, "append after the rollback")
	clock.Set(time.Date(2034, 2, 1, 0, 0, 0, 0, time.UTC))
	_, err = db.Events().Append(ctx, ev)
	must(t, err, "append in another new month")
	names := partitionNames(t, db)
	sort.Strings(names)
	for _, want := range []string{"event_outbox_p203307", "event_outbox_p203402"} {
		if !containsString(names, want) {
			t.Errorf("partition %s missing from %v", want, names)
		}
	}
	evs, err := db.Events().Since(ctx, u.ID, "", 0)
	must(t, err, "since")
	if len(evs) != 2 {
		t.Errorf("%d events stored, want 2", len(evs))
	}
}

func containsString(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
