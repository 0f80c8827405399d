package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/transport"
)

func TestSyncFanoutJob(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 2, 5, 44, 59, 0, time.UTC).In(ny)
	j := jobs.SyncFanoutJob(at)
	if j.Type != jobs.JobSyncFanout || j.Queue != transport.QueueImport || j.ID != "sync.fanout:2026-11-02T05:30:00Z" || j.Retention != jobs.FanoutRetention {
		t.Errorf("sync fan-out job %s %s %s retention %s", j.Type, j.Queue, j.ID, j.Retention)
	}
	must(t, j.Validate(), "Validate")
	p, err := jobs.ParseSyncFanout(j.Payload)
	if err != nil || !p.Slot.Equal(time.Date(2026, 11, 2, 5, 30, 0, 0, time.UTC)) {
		t.Errorf("payload %s: %+v, %v; want the slot 05:30Z", j.Payload, p, err)
	}
	if next := jobs.SyncFanoutJob(at.Add(time.Second)); next.ID == j.ID {
		t.Errorf("the next slot has the same id %s", next.ID)
	}
	if same := jobs.SyncFanoutJob(at.Add(-14 * time.Minute)); same.ID != j.ID {
		t.Errorf("a firing in the same slot has id %s, want %s", same.ID, j.ID)
	}
	for _, bad := range []string{`{"slot":"2026-11-02T05:31:00Z"}`, `{"slot":"0001-01-01T00:00:00Z"}`, `{}`, `{"slot":"2026-11-02T05:30:00Z","user":"u1"}`} {
		if _, err := jobs.ParseSyncFanout([]byte(bad)); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("ParseSyncFanout(%s): %v, want EINVALID", bad, err)
		}
	}
}

// syncFixture is a memory store on a manual clock at the start of a sync slot, with two users
// and connections of every kind the schedule must tell apart.
type syncFixture struct {
	ctx   context.Context
	store storage.Store
	clock *coach.ManualClock
	slot  time.Time
	users [2]string
	conns map[string]coach.BrokerConnection // by name
}

func newSyncFixture(t *testing.T) *syncFixture { return newSyncFixtureOn(t, nil) }

// newSyncFixtureOn is newSyncFixture on the store open makes (a memory store when nil).
func newSyncFixtureOn(t *testing.T, open func(t *testing.T, clock coach.Clock) storage.Store) *syncFixture {
	t.Helper()
	slot := time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC)
	f := &syncFixture{ctx: context.Background(), clock: coach.NewManualClock(slot), slot: slot, conns: map[string]coach.BrokerConnection{}}
	if open == nil {
		open = func(t *testing.T, clock coach.Clock) storage.Store {
			s := memory.New(memory.WithClock(clock))
			t.Cleanup(func() { s.Close() })
			return s
		}
	}
	f.store = open(t, f.clock)
	for i := range f.users {
		f.users[i] = coach.NewID()
		must(t, f.store.Users().Create(f.ctx, coach.User{ID: f.users[i], CreatedAt: slot.AddDate(0, -1, 0)}), "create user")
	}
	created := slot.AddDate(0, 0, -3)
	add := func(name string, user int, brokerName, status string, synced time.Time) {
		c := coach.BrokerConnection{ID: coach.NewID(), UserID: f.users[user], Broker: brokerName, Status: status,
			AccessEnc: []byte("sealed"), CreatedAt: created}
		if status == coach.ConnectionRevoked {
			c.AccessEnc = nil
		}
		must(t, f.store.Connections().Create(f.ctx, c), "create "+name)
		if !synced.IsZero() {
			_, err := f.store.Syncs().MarkSynced(f.ctx, c.UserID, c.ID, created, synced)
			must(t, err, "mark "+name)
		}
		f.conns[name] = c
	}
	add("new", 0, coach.BrokerBinance, coach.ConnectionActive, time.Time{})
	add("stale", 1, coach.BrokerCoinbase, coach.ConnectionActive, slot.Add(-2*time.Hour))
	add("hourAgo", 1, coach.BrokerDemo, coach.ConnectionActive, slot.Add(-time.Hour))
	add("fresh", 0, coach.BrokerBinance, coach.ConnectionActive, slot.Add(-10*time.Minute))
	add("paused", 0, coach.BrokerBinance, coach.ConnectionPaused, slot.Add(-2*time.Hour))
	add("revoked", 1, coach.BrokerCoinbase, coach.ConnectionRevoked, time.Time{})
	add("csv", 0, coach.BrokerCSV, coach.ConnectionActive, time.Time{})
	return f
}

// importID is the id of the sync import of the named connection from from.
func (f *syncFixture) importID(name string, from time.Time) string {
	return jobs.ImportID(f.conns[name].ID, from)
}

// markID is the id of the sync import of the named connection synced through mark: it starts
// SyncOverlap before the mark.
func (f *syncFixture) markID(name string, mark time.Time) string {
	return f.importID(name, mark.Add(-jobs.SyncOverlap))
}

// syncHandlers returns Handlers with an Importer on q (the fan-out needs no broker).
func (f *syncFixture) syncHandlers(t *testing.T, q transport.Queue) *jobs.Handlers {
	t.Helper()
	imp, err := broker.NewImporter(broker.ImporterConfig{Store: f.store, Clock: f.clock})
	must(t, err, "importer")
	h, err := jobs.New(jobs.Config{Store: f.store, Queue: q, Importer: imp, Clock: f.clock,
		Brokers: jobs.BrokersFunc(func(context.Context, coach.BrokerConnection) (broker.Broker, error) {
			return nil, coach.Errorf(coach.ENOTFOUND, "no broker")
		})})
	must(t, err, "jobs.New")
	return h
}

func TestSyncFanoutEnqueuesTheConnectionsDue(t *testing.T) {
	t.Parallel()
	t.Run("Memory", func(t *testing.T) { t.Parallel(); syncFanoutEnqueuesTheConnectionsDue(t, newSyncFixture(t)) })
	t.Run("Postgres", func(t *testing.T) {
		t.Parallel()
		syncFanoutEnqueuesTheConnectionsDue(t, newSyncFixtureOn(t, func(t *testing.T, _ coach.Clock) storage.Store {
			return postgrestest.MustOpenTestDB(t)
		}))
	})
}

func syncFanoutEnqueuesTheConnectionsDue(t *testing.T, f *syncFixture) {
	q := &recordingQueue{}
	h := f.syncHandlers(t, q)
	must(t, h.SyncFanout(f.ctx, jobs.SyncFanoutJob(f.slot)), "SyncFanout")
	// Due with the default hourly interval: the one never synced (from its creation minus the
	// backfill), the one synced two hours ago and the one synced exactly an hour ago; not the
	// one synced ten minutes ago, the paused, the revoked or the CSV upload.
	backfill := f.conns["new"].CreatedAt.Add(-broker.DefaultImportWindow)
	want := []string{f.importID("new", backfill), f.markID("stale", f.slot.Add(-2*time.Hour)), f.markID("hourAgo", f.slot.Add(-time.Hour))}
	if diff := cmp.Diff(want, q.ids(), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("imports enqueued (-want +got):\n%s", diff)
	}
	for _, j := range q.jobs {
		p, err := jobs.ParseImport(j.Payload)
		must(t, err, "ParseImport")
		if j.Type != transport.JobImportTrades || j.Queue != transport.QueueImport || j.Retention != jobs.SyncImportRetention || !p.WindowEnd.Equal(f.slot) {
			t.Errorf("import %s: %s on %s retention %s window end %s; want import.trades on q_import up to the slot", j.ID, j.Type, j.Queue, j.Retention, p.WindowEnd)
		}
	}

	// The same slot again asks for the same ids (the queue runs them once).
	before := len(q.ids())
	must(t, h.SyncFanout(f.ctx, jobs.SyncFanoutJob(f.slot)), "SyncFanout again")
	if diff := cmp.Diff(want, q.ids()[before:], cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("imports enqueued again (-want +got):\n%s", diff)
	}

	// Once an import is done the next slot continues from where it ended.
	_, err := f.store.Syncs().MarkSynced(f.ctx, f.conns["stale"].UserID, f.conns["stale"].ID, f.slot.Add(-2*time.Hour), f.slot)
	must(t, err, "MarkSynced")
	f.clock.Advance(time.Hour)
	before = len(q.ids())
	must(t, h.SyncFanout(f.ctx, jobs.SyncFanoutJob(f.slot.Add(time.Hour))), "SyncFanout an hour later")
	got := q.ids()[before:]
	if !contains(got, f.markID("stale", f.slot)) || contains(got, f.markID("stale", f.slot.Add(-2*time.Hour))) {
		t.Errorf("an hour later: %v; want the stale connection's import from the slot it was synced to", got)
	}
	if !contains(got, f.markID("fresh", f.slot.Add(-10*time.Minute))) {
		t.Errorf("an hour later: %v; want the connection synced ten minutes before the first slot", got)
	}

	if err := h.SyncFanout(f.ctx, jobs.SyncFanoutJob(f.clock.Now().Add(jobs.SyncSlot))); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("fan-out of a slot to come: %v, want EINVALID", err)
	}
	q.err = coach.Errorf(coach.EUNAVAILABLE, "redis down")
	if err := h.SyncFanout(f.ctx, jobs.SyncFanoutJob(f.slot)); jobs.Classify(err) != jobs.Retry {
		t.Errorf("fan-out with the queue down: %v, want it retried", err)
	}
}

// Pausing a connection takes it off the schedule; resuming it puts it back.
func TestSyncFanoutSkipsPausedConnections(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	q := &recordingQueue{}
	h := f.syncHandlers(t, q)
	c := f.conns["stale"]
	c.Status = coach.ConnectionPaused
	must(t, f.store.Connections().Update(f.ctx, c), "pause")
	must(t, h.SyncFanout(f.ctx, jobs.SyncFanoutJob(f.slot)), "SyncFanout")
	id := f.markID("stale", f.slot.Add(-2*time.Hour))
	if contains(q.ids(), id) {
		t.Errorf("the paused connection was enqueued: %v", q.ids())
	}
	c.Status = coach.ConnectionActive
	must(t, f.store.Connections().Update(f.ctx, c), "resume")
	must(t, h.SyncFanout(f.ctx, jobs.SyncFanoutJob(f.slot)), "SyncFanout after resuming")
	if !contains(q.ids(), id) {
		t.Errorf("the resumed connection was not enqueued: %v", q.ids())
	}
}

// Many due connections are paged through, each enqueued once.
func TestSyncFanoutPagesThroughManyConnections(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	const n = 1203
	for range n {
		c := coach.BrokerConnection{ID: coach.NewID(), UserID: f.users[0], Broker: coach.BrokerBinance, Status: coach.ConnectionActive,
			AccessEnc: []byte("sealed"), CreatedAt: f.slot.AddDate(0, 0, -1)}
		must(t, f.store.Connections().Create(f.ctx, c), "create")
	}
	q := &recordingQueue{}
	must(t, f.syncHandlers(t, q).SyncFanout(f.ctx, jobs.SyncFanoutJob(f.slot)), "SyncFanout")
	seen := map[string]bool{}
	for _, id := range q.ids() {
		if seen[id] {
			t.Errorf("%s enqueued twice", id)
		}
		seen[id] = true
	}
	if len(seen) != n+3 {
		t.Errorf("%d imports enqueued, want %d", len(seen), n+3)
	}
}

func TestSyncNow(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	q := &recordingQueue{}
	leases := memory.NewLeases(f.clock)
	s, err := jobs.NewSyncer(jobs.SyncerConfig{Store: f.store, Queue: q, Limiter: memory.NewRateLimiter(f.clock), Leases: leases, Clock: f.clock})
	must(t, err, "NewSyncer")
	f.clock.Advance(7*time.Minute + 300*time.Millisecond)
	now := f.slot.Add(7 * time.Minute)

	stale := f.conns["stale"]
	for _, tc := range []struct {
		name, user, conn string
		want             coach.Code
	}{
		{"another user's connection", f.users[0], stale.ID, coach.ENOTFOUND},
		{"no such connection", stale.UserID, coach.NewID(), coach.ENOTFOUND},
		{"a paused connection", f.conns["paused"].UserID, f.conns["paused"].ID, coach.ECONFLICT},
		{"a revoked connection", f.conns["revoked"].UserID, f.conns["revoked"].ID, coach.EUNAUTHORIZED},
		{"a CSV upload", f.conns["csv"].UserID, f.conns["csv"].ID, coach.EINVALID},
	} {
		if _, err := s.SyncNow(f.ctx, tc.user, tc.conn); coach.ErrorCode(err) != tc.want {
			t.Errorf("SyncNow of %s: %v, want %s", tc.name, err, tc.want)
		}
	}
	if len(q.ids()) != 0 {
		t.Fatalf("refused syncs enqueued %v", q.ids())
	}

	j, err := s.SyncNow(f.ctx, stale.UserID, stale.ID)
	must(t, err, "SyncNow")
	p, err := jobs.ParseImport(j.Payload)
	must(t, err, "ParseImport")
	if from := f.slot.Add(-2*time.Hour - jobs.SyncOverlap); j.ID != jobs.ImportID(stale.ID, from) || !p.WindowStart.Equal(from) || !p.WindowEnd.Equal(now) {
		t.Errorf("sync now: %s [%s, %s), want the window from the sync mark %s to now %s", j.ID, p.WindowStart, p.WindowEnd, from, now)
	}
	if diff := cmp.Diff([]string{j.ID}, q.ids()); diff != "" {
		t.Errorf("enqueued (-want +got):\n%s", diff)
	}

	// Again within the minute: rate limited, with the time to wait.
	f.clock.Advance(20 * time.Second)
	_, err = s.SyncNow(f.ctx, stale.UserID, stale.ID)
	var limited *jobs.RateLimitedError
	if coach.ErrorCode(err) != coach.ERATELIMITED || !errors.As(err, &limited) || limited.RetryAfter <= 0 || limited.RetryAfter > 40*time.Second {
		t.Errorf("SyncNow again after 20 s: %v, want ERATELIMITED with a RetryAfter of at most 40 s", err)
	}
	// After the minute, the import still queued (same sync mark, same window start) is "already queued".
	f.clock.Advance(time.Minute)
	if _, err := s.SyncNow(f.ctx, stale.UserID, stale.ID); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Errorf("SyncNow while its import is queued: %v, want ECONFLICT", err)
	}
	// An import running (its lease held) is "already running", whatever its window.
	hourAgo := f.conns["hourAgo"]
	ok, err := leases.Acquire(f.ctx, broker.ImportLeaseKey(hourAgo.UserID, hourAgo.ID), "a worker", time.Minute)
	must(t, err, "Acquire")
	if !ok {
		t.Fatal("lease refused")
	}
	if _, err := s.SyncNow(f.ctx, hourAgo.UserID, hourAgo.ID); coach.ErrorCode(err) != coach.ECONFLICT {
		t.Errorf("SyncNow while an import runs: %v, want ECONFLICT", err)
	}
	must(t, leases.Release(f.ctx, broker.ImportLeaseKey(hourAgo.UserID, hourAgo.ID), "a worker"), "Release")
	if _, err := s.SyncNow(f.ctx, hourAgo.UserID, hourAgo.ID); err != nil {
		t.Errorf("SyncNow once the import ended: %v", err)
	}
}

func TestNewSyncerRefusesMissingFields(t *testing.T) {
	t.Parallel()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	q, lim := &recordingQueue{}, memory.NewRateLimiter(nil)
	for name, cfg := range map[string]jobs.SyncerConfig{
		"Store":    {Queue: q, Limiter: lim},
		"Queue":    {Store: store, Limiter: lim},
		"Limiter":  {Store: store, Queue: q},
		"Every":    {Store: store, Queue: q, Limiter: lim, Every: -time.Second},
		"Interval": {Store: store, Queue: q, Limiter: lim, Sync: jobs.SyncConfig{Interval: time.Minute}},
	} {
		if _, err := jobs.NewSyncer(cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("NewSyncer without a valid %s: %v, want EINVALID", name, err)
		}
	}
	var zero *jobs.Syncer
	if _, err := zero.SyncNow(context.Background(), coach.NewID(), coach.NewID()); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("SyncNow of a nil Syncer: %v, want EINVALID", err)
	}
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
