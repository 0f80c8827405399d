package jobs_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

func TestRetentionJobs(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 7, 3, 30, 0, 0, time.UTC).In(ny)
	for _, tc := range []struct {
		job  func(time.Time) transport.Job
		typ  string
		id   string
		keep time.Duration
	}{
		{jobs.RetentionOutboxJob, jobs.JobRetentionOutbox, "retention.outbox:2026-12-07T00:00:00Z", 48 * time.Hour},
		{jobs.RetentionDigestsJob, jobs.JobRetentionDigests, "retention.digests:2026-12-07T00:00:00Z", 48 * time.Hour},
		{jobs.RetentionDeadLettersJob, jobs.JobRetentionDeadLetters, "retention.deadletters:2026-12-07T00:00:00Z", 48 * time.Hour},
		{jobs.RetentionWebhooksJob, jobs.JobRetentionWebhooks, "retention.webhooks:2026-12-07T00:00:00Z", 48 * time.Hour},
		{jobs.RetentionSessionsJob, jobs.JobRetentionSessions, "retention.sessions:2026-12-07T03:00:00Z", 2 * time.Hour},
		{jobs.RetentionExportsJob, jobs.JobRetentionExports, "retention.exports:2026-12-07T03:00:00Z", 2 * time.Hour},
	} {
		j := tc.job(at)
		if j.Type != tc.typ || j.ID != tc.id || j.Queue != transport.QueueDigest || j.Retention != tc.keep {
			t.Errorf("%s: job %s %s on %s, retention %s; want id %s, retention %s", tc.typ, j.Type, j.ID, j.Queue, j.Retention, tc.id, tc.keep)
		}
		if err := j.Validate(); err != nil {
			t.Error(err)
		}
		p, err := jobs.ParseRetention(tc.typ, j.Payload)
		if err != nil || jobs.RetentionID(tc.typ, p.Period) != tc.id {
			t.Errorf("%s: payload %s: %+v, %v", tc.typ, j.Payload, p, err)
		}
		if tc.job(at.Add(time.Minute)).ID != j.ID {
			t.Errorf("%s: a firing a minute later has another id", tc.typ)
		}
		if tc.job(at.Add(48*time.Hour)).ID == j.ID {
			t.Errorf("%s: a firing two days later has the same id", tc.typ)
		}
	}
	for _, bad := range []struct{ typ, payload string }{
		{jobs.JobRetentionDigests, `{"period":"2026-12-07T03:00:00Z"}`}, // an hour, not a day
		{jobs.JobRetentionSessions, `{"period":"2026-12-07T03:30:00Z"}`},
		{jobs.JobRetentionOutbox, `{"period":"0001-01-01T00:00:00Z"}`},
		{jobs.JobRetentionOutbox, `{}`},
		{jobs.JobRetentionOutbox, `{"period":"2026-12-07T00:00:00Z","keep":0}`},
		{"retention.everything", `{"period":"2026-12-07T00:00:00Z"}`},
	} {
		if _, err := jobs.ParseRetention(bad.typ, []byte(bad.payload)); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("ParseRetention(%s, %s): %v, want EINVALID", bad.typ, bad.payload, err)
		}
	}
}

func TestRetentionConfigIsValidated(t *testing.T) {
	t.Parallel()
	store := newRetentionMemory(t)
	for _, tc := range []struct {
		field string
		rc    jobs.RetentionConfig
	}{
		{"Retention.Blobs", jobs.RetentionConfig{}},
		{"Retention.Outbox", jobs.RetentionConfig{Blobs: newCountingBlobs(nil), Outbox: -time.Hour}},
		{"Retention.DigestMonths", jobs.RetentionConfig{Blobs: newCountingBlobs(nil), DigestMonths: -1}},
		{"Retention.DeadLetters", jobs.RetentionConfig{Blobs: newCountingBlobs(nil), DeadLetters: -time.Hour}},
		{"Retention.WebhookDeliveries", jobs.RetentionConfig{Blobs: newCountingBlobs(nil), WebhookDeliveries: -time.Hour}},
		{"Retention.PartitionsAhead", jobs.RetentionConfig{Blobs: newCountingBlobs(nil), PartitionsAhead: 121}},
	} {
		_, err := jobs.New(jobs.Config{Store: store, Queue: &recordingQueue{}, Retention: &tc.rc})
		if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), tc.field) {
			t.Errorf("New with a bad %s: %v, want EINVALID naming it", tc.field, err)
		}
	}
	if _, err := jobs.New(jobs.Config{Store: store, Queue: &recordingQueue{}}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("New without any service nor Retention: %v, want EINVALID", err)
	}
	// Handlers without Retention refuse the retention jobs as wrong, never as done.
	h := newFixture(t).handlers(&recordingQueue{})
	if err := h.RetentionDigests(context.Background(), jobs.RetentionDigestsJob(retentionNow)); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("RetentionDigests without Retention: %v, want EINVALID", err)
	}
}

func newRetentionMemory(t *testing.T) storage.Store { return retentionEnvs[0].new(t).store }

// TestRetentionDigests: digests whose week ended more than six months ago are archived, one
// JSON object per digest under the user's prefix, and deleted; younger digests and every other
// user's younger ones stay; running the job again archives nothing twice.
func TestRetentionDigests(t *testing.T) {
	t.Parallel()
	for _, env := range retentionEnvs {
		t.Run(env.name, func(t *testing.T) {
			t.Parallel()
			e := env.new(t)
			u, other := e.user(), e.user()
			old1 := e.digest(u.ID, coach.Date{Year: 2026, Month: 1, Day: 5})
			old2 := e.digest(u.ID, coach.Date{Year: 2026, Month: 5, Day: 25}) // ended 31 May, before 7 June
			young := e.digest(u.ID, coach.Date{Year: 2026, Month: 6, Day: 8}) // ended 14 June: younger than 6 months
			recent := e.digest(u.ID, coach.Date{Year: 2026, Month: 11, Day: 30})
			oldOther := e.digest(other.ID, coach.Date{Year: 2026, Month: 2, Day: 2})
			recentOther := e.digest(other.ID, coach.Date{Year: 2026, Month: 11, Day: 23})
			must(t, e.store.Digests().MarkDelivered(e.ctx, u.ID, old1.ID, retentionNow.AddDate(-1, 0, 0)), "MarkDelivered")
			old1, _ = e.store.Digests().Get(e.ctx, u.ID, old1.ID)

			h := e.handlers(nil, jobs.RetentionConfig{})
			for run := range 2 {
				must(t, h.RetentionDigests(e.ctx, jobs.RetentionDigestsJob(retentionNow)), fmt.Sprintf("run %d", run))
				if diff := cmp.Diff([]coach.Digest{recent, young}, e.digests(u.ID)); diff != "" {
					t.Errorf("run %d: the user's digests (-want +got):\n%s", run, diff)
				}
				if diff := cmp.Diff([]coach.Digest{recentOther}, e.digests(other.ID)); diff != "" {
					t.Errorf("run %d: the other user's digests (-want +got):\n%s", run, diff)
				}
				for _, d := range []coach.Digest{old1, old2, oldOther} {
					if diff := cmp.Diff(d, e.archived(d), equateJSON); diff != "" {
						t.Errorf("run %d: archive of %s (-stored +archived):\n%s", run, d.PeriodStart, diff)
					}
					if n := e.blobs.putsOf(jobs.DigestArchiveKey(d)); n != 1 {
						t.Errorf("run %d: archive of %s put %d times, want once", run, d.PeriodStart, n)
					}
				}
			}
			// Each user's archive is under their own prefix, and holds nothing else.
			for userID, want := range map[string][]coach.Digest{u.ID: {old1, old2}, other.ID: {oldOther}} {
				infos, err := e.blobs.List(e.ctx, storage.UserBlobPrefix(userID))
				must(t, err, "list archive")
				var keys, wantKeys []string
				for _, i := range infos {
					keys = append(keys, i.Key)
				}
				for _, d := range want {
					wantKeys = append(wantKeys, jobs.DigestArchiveKey(d))
				}
				slices.Sort(wantKeys)
				if diff := cmp.Diff(wantKeys, keys); diff != "" {
					t.Errorf("blobs of user %s (-want +got):\n%s", userID, diff)
				}
			}
		})
	}
}

// TestRetentionDigestsCrashBetweenArchiveAndDelete: the delete after the archive fails; the job
// fails (to be retried) with the digest still stored; the retry archives nothing again (the
// key already holds the same bytes) and deletes it. Nothing is lost, nothing archived twice.
func TestRetentionDigestsCrashBetweenArchiveAndDelete(t *testing.T) {
	t.Parallel()
	for _, env := range retentionEnvs {
		t.Run(env.name, func(t *testing.T) {
			t.Parallel()
			e := env.new(t)
			u := e.user()
			a := e.digest(u.ID, coach.Date{Year: 2026, Month: 1, Day: 5})
			b := e.digest(u.ID, coach.Date{Year: 2026, Month: 1, Day: 12})
			job := jobs.RetentionDigestsJob(retentionNow)

			err := e.handlers(failingDeletes{e.store}, jobs.RetentionConfig{}).RetentionDigests(e.ctx, job)
			if jobs.Classify(err) != jobs.Retry {
				t.Fatalf("run with failing deletes: %v, want an error the queue retries", err)
			}
			if diff := cmp.Diff([]coach.Digest{b, a}, e.digests(u.ID)); diff != "" {
				t.Errorf("digests after the failed delete (-want +got):\n%s", diff)
			}
			archivedFirst := e.blobs.putsOf(jobs.DigestArchiveKey(a)) + e.blobs.putsOf(jobs.DigestArchiveKey(b))
			if archivedFirst != 1 {
				t.Errorf("%d archives put before the failed delete, want 1 (the job stops at the first failure)", archivedFirst)
			}

			must(t, e.handlers(nil, jobs.RetentionConfig{}).RetentionDigests(e.ctx, job), "retry")
			if got := e.digests(u.ID); len(got) != 0 {
				t.Errorf("digests after the retry: %d, want none", len(got))
			}
			for _, d := range []coach.Digest{a, b} {
				if n := e.blobs.putsOf(jobs.DigestArchiveKey(d)); n != 1 {
					t.Errorf("archive of %s put %d times, want once", d.PeriodStart, n)
				}
				if diff := cmp.Diff(d, e.archived(d), equateJSON); diff != "" {
					t.Errorf("archive of %s (-stored +archived):\n%s", d.PeriodStart, diff)
				}
			}
		})
	}
}

// TestRetentionDigestsChangedBeforeTheDelete: a digest delivered between its archive and its
// delete is not deleted (the job fails with ECONFLICT, to be retried); the retry archives the
// delivered version under the same key and deletes it. The archive ends with what was deleted.
func TestRetentionDigestsChangedBeforeTheDelete(t *testing.T) {
	t.Parallel()
	for _, env := range retentionEnvs {
		t.Run(env.name, func(t *testing.T) {
			t.Parallel()
			e := env.new(t)
			u := e.user()
			d := e.digest(u.ID, coach.Date{Year: 2026, Month: 1, Day: 5})
			job := jobs.RetentionDigestsJob(retentionNow)
			err := e.handlers(deliveringDeletes{e.store}, jobs.RetentionConfig{}).RetentionDigests(e.ctx, job)
			if coach.ErrorCode(err) != coach.ECONFLICT || jobs.Classify(err) != jobs.Retry {
				t.Fatalf("run with a digest delivered before its delete: %v, want ECONFLICT, retried", err)
			}
			delivered, err := e.store.Digests().Get(e.ctx, u.ID, d.ID)
			must(t, err, "the changed digest is still stored")
			if delivered.DeliveredAt == nil {
				t.Fatal("the digest was not delivered")
			}
			must(t, e.handlers(nil, jobs.RetentionConfig{}).RetentionDigests(e.ctx, job), "retry")
			if got := e.digests(u.ID); len(got) != 0 {
				t.Errorf("digests after the retry: %d, want none", len(got))
			}
			if diff := cmp.Diff(delivered, e.archived(d), equateJSON); diff != "" {
				t.Errorf("archive (-deleted +archived):\n%s", diff)
			}
			if n := e.blobs.putsOf(jobs.DigestArchiveKey(d)); n != 2 {
				t.Errorf("archive put %d times, want twice (the first version, then the delivered one)", n)
			}
		})
	}
}

// TestRetentionSessionsAndDeadLetters: expired sessions of every user go, live ones stay; dead
// letters older than 30 days go, younger ones stay; a second run removes nothing more.
func TestRetentionSessionsAndDeadLetters(t *testing.T) {
	t.Parallel()
	for _, env := range retentionEnvs {
		t.Run(env.name, func(t *testing.T) {
			t.Parallel()
			e := env.new(t)
			u, other := e.user(), e.user()
			hour := retentionNow.Truncate(time.Hour)
			session := func(userID string, expires time.Time) coach.Session {
				s := coach.Session{ID: coach.NewID(), UserID: userID, CreatedAt: expires.Add(-24 * time.Hour), ExpiresAt: expires,
					IPHash: "ip-" + coach.NewID(), TokenHash: "tok-" + coach.NewID()}
				must(t, e.store.Sessions().Create(e.ctx, s), "create session")
				return s
			}
			expired, otherExpired := session(u.ID, hour.Add(-time.Minute)), session(other.ID, hour)
			live, otherLive := session(u.ID, hour.Add(time.Hour)), session(other.ID, hour.Add(time.Minute))
			dead := func(failed time.Time) storage.DeadLetter {
				d := storage.DeadLetter{ID: "q_import:" + coach.NewID(), Queue: transport.QueueImport, TaskType: transport.JobImportTrades,
					TaskID: coach.NewID(), Payload: []byte(`{}`), Error: "broker down", Attempts: 25, FailedAt: failed}
				must(t, e.store.DeadLetters().Add(e.ctx, d), "add dead letter")
				return d
			}
			day := retentionNow.Truncate(24 * time.Hour)
			dead(day.Add(-31 * 24 * time.Hour))
			keep := dead(day.Add(-29 * 24 * time.Hour))

			h := e.handlers(nil, jobs.RetentionConfig{})
			for run := range 2 {
				must(t, h.RetentionSessions(e.ctx, jobs.RetentionSessionsJob(retentionNow)), "RetentionSessions")
				must(t, h.RetentionDeadLetters(e.ctx, jobs.RetentionDeadLettersJob(retentionNow)), "RetentionDeadLetters")
				for _, s := range []coach.Session{expired, otherExpired} {
					if _, err := e.store.Sessions().ByTokenHash(e.ctx, s.TokenHash); coach.ErrorCode(err) != coach.ENOTFOUND {
						t.Errorf("run %d: expired session: %v, want ENOTFOUND", run, err)
					}
				}
				for _, s := range []coach.Session{live, otherLive} {
					if _, err := e.store.Sessions().ByTokenHash(e.ctx, s.TokenHash); err != nil {
						t.Errorf("run %d: live session: %v", run, err)
					}
				}
				list, err := e.store.DeadLetters().List(e.ctx, "", 0)
				must(t, err, "list dead letters")
				if len(list) != 1 || list[0].ID != keep.ID {
					t.Errorf("run %d: dead letters left %+v, want only the one of 29 days ago", run, list)
				}
			}
		})
	}
}

// TestRetentionOutbox: events older than 90 days go, the rest stay; on Postgres the partitions
// of the coming months are made and those of old months dropped, never the present month's.
func TestRetentionOutbox(t *testing.T) {
	t.Parallel()
	for _, env := range retentionEnvs {
		t.Run(env.name, func(t *testing.T) {
			t.Parallel()
			e := env.new(t)
			u, other := e.user(), e.user()
			appendAt := func(userID string, at time.Time) coach.Event {
				e.clock.Set(at)
				evs, err := e.store.Events().Append(e.ctx, coach.Event{UserID: userID, Type: coach.EventImportProgress, V: 1,
					Payload: []byte(`{"imported":1}`)})
				must(t, err, "append")
				return evs[0]
			}
			appendAt(u.ID, retentionNow.AddDate(0, 0, -200))
			appendAt(u.ID, retentionNow.AddDate(0, 0, -100))
			kept := appendAt(u.ID, retentionNow.AddDate(0, 0, -1))
			keptOther := appendAt(other.ID, retentionNow.AddDate(0, 0, -89))
			e.clock.Set(retentionNow)

			h := e.handlers(nil, jobs.RetentionConfig{}) // Outbox 0: the 90-day default, never "keep nothing"
			for run := range 2 {
				must(t, h.RetentionOutbox(e.ctx, jobs.RetentionOutboxJob(retentionNow)), "RetentionOutbox")
				for userID, want := range map[string]string{u.ID: kept.ID, other.ID: keptOther.ID} {
					evs, err := e.store.Events().Since(e.ctx, userID, "", 0)
					must(t, err, "Since")
					if len(evs) != 1 || evs[0].ID != want {
						t.Errorf("run %d: %d events left, want only %s", run, len(evs), want)
					}
				}
				if e.pg == nil {
					continue
				}
				got := partitions(t, e)
				want := []string{"event_outbox_p202609", "event_outbox_p202612", "event_outbox_p202701", "event_outbox_p202702", "event_outbox_p202703"}
				if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("run %d: partitions (-want +got):\n%s", run, diff)
				}
			}
		})
	}
}

// partitions lists the outbox partitions of the env's Postgres schema, by name.
func partitions(t *testing.T, e *retentionEnv) []string {
	t.Helper()
	rows, err := e.pg.Pool().Query(e.ctx, `SELECT c.relname FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
		JOIN pg_namespace n ON n.oid = p.relnamespace
		WHERE p.relname = 'event_outbox' AND n.nspname = $1 ORDER BY 1`, e.pg.Schema())
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

func TestRetentionExports(t *testing.T) {
	t.Parallel()
	e := retentionEnvs[0].new(t)
	job := jobs.RetentionExportsJob(retentionNow)
	must(t, e.handlers(nil, jobs.RetentionConfig{}).RetentionExports(e.ctx, job), "RetentionExports without an ExportPurger")
	p := &exportPurger{}
	h := e.handlers(nil, jobs.RetentionConfig{Exports: p})
	must(t, h.RetentionExports(e.ctx, job), "RetentionExports")
	must(t, h.RetentionExports(e.ctx, job), "RetentionExports again")
	if p.calls != 2 {
		t.Errorf("PurgeExpired called %d times, want 2", p.calls)
	}
	p.err = coach.Errorf(coach.EUNAVAILABLE, "blob store down")
	if err := h.RetentionExports(e.ctx, job); jobs.Classify(err) != jobs.Retry {
		t.Errorf("RetentionExports with the blob store down: %v, want it retried", err)
	}
}

// TestScheduleIsRegistered: every job of Schedule, fired at any time, has a handler in a mux
// registered with the Digester and Retention, and runs.
func TestScheduleIsRegistered(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.cfg.Retention = &jobs.RetentionConfig{Blobs: f.blobs}
	mux, err := transport.NewMux(transport.MuxConfig{})
	must(t, err, "NewMux")
	must(t, f.handlers(&recordingQueue{}).Register(mux), "Register")
	names := map[string]bool{}
	for _, p := range jobs.Schedule() {
		must(t, p.Validate(), "Validate "+p.Name)
		j := p.Job(f.clock.Now().Add(-time.Hour))
		if j.Type != p.Name || names[p.Name] {
			t.Errorf("schedule entry %s: job type %s (or a repeated name)", p.Name, j.Type)
		}
		names[p.Name] = true
		must(t, mux.Run(context.Background(), j), "run "+j.ID)
	}
	for _, typ := range []string{jobs.JobDigestFanout, jobs.JobRetentionOutbox, jobs.JobRetentionDigests, jobs.JobRetentionSessions,
		jobs.JobRetentionExports, jobs.JobRetentionDeadLetters, jobs.JobRetentionWebhooks} {
		if !names[typ] {
			t.Errorf("Schedule has no %s", typ)
		}
	}
}
