package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

func TestFanoutJob(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 2, 5, 59, 59, 0, time.UTC).In(ny)
	j := jobs.FanoutJob(at)
	if j.Type != jobs.JobDigestFanout || j.Queue != transport.QueueDigest || j.ID != "digest.fanout:2026-11-02T05:00:00Z" || j.Retention != jobs.FanoutRetention {
		t.Errorf("fan-out job %s %s %s retention %s", j.Type, j.Queue, j.ID, j.Retention)
	}
	if err := j.Validate(); err != nil {
		t.Error(err)
	}
	p, err := jobs.ParseFanout(j.Payload)
	if err != nil || !p.Hour.Equal(time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("payload %s: %+v, %v; want the hour 05:00Z", j.Payload, p, err)
	}
	if other := jobs.FanoutJob(at.Add(-time.Hour)); other.ID == j.ID {
		t.Errorf("the hour before has the same id %s", other.ID)
	}
	for _, bad := range []string{`{"hour":"2026-11-02T05:30:00Z"}`, `{"hour":"0001-01-01T00:00:00Z"}`, `{}`, `{"hour":"2026-11-02T05:00:00Z","user":"u1"}`} {
		if _, err := jobs.ParseFanout([]byte(bad)); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("ParseFanout(%s): %v, want EINVALID", bad, err)
		}
	}
}

// fanoutFixture is a store with a New York and a Kiritimati trader at a time after the first
// week of November 2026, when US daylight-saving time ended, and a digest service over it.
type fanoutFixture struct {
	store    *memory.Store
	digester *digest.Service
	users    map[string]string // zone → user id
}

func newFanoutFixture(t *testing.T) *fanoutFixture {
	t.Helper()
	clock := coach.NewManualClock(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC))
	f := &fanoutFixture{store: memory.New(memory.WithClock(clock)), users: map[string]string{}}
	t.Cleanup(func() { f.store.Close() })
	for _, zone := range []string{"America/New_York", "Pacific/Kiritimati"} {
		u := coach.User{ID: coach.NewID(), TimeZone: zone, CreatedAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
		must(t, f.store.Users().Create(context.Background(), u), "create user")
		f.users[zone] = u.ID
	}
	var err error
	f.digester, err = digest.New(digest.ServiceConfig{Store: f.store, Clock: clock})
	must(t, err, "digest.New")
	return f
}

func TestDigestFanoutEnqueuesTheWeeksThatEnded(t *testing.T) {
	t.Parallel()
	f := newFanoutFixture(t)
	q := &recordingQueue{}
	h, err := jobs.New(jobs.Config{Store: f.store, Queue: q, Digester: f.digester})
	must(t, err, "New")
	run := func(hour time.Time) []string {
		t.Helper()
		before := len(q.ids())
		must(t, h.DigestFanout(context.Background(), jobs.FanoutJob(hour)), "DigestFanout "+hour.String())
		return q.ids()[before:]
	}
	ny, kiri := f.users["America/New_York"], f.users["Pacific/Kiritimati"]
	for _, tc := range []struct {
		hour time.Time
		want []string
	}{
		// Kiritimati (UTC+14) ends Sunday 1 November at 10:00 UTC.
		{time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), []string{jobs.DigestID(kiri, "2026-W44")}},
		// New York ends its Sunday at 05:00 UTC: daylight-saving time ended that Sunday.
		{time.Date(2026, 11, 2, 4, 0, 0, 0, time.UTC), nil},
		{time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC), []string{jobs.DigestID(ny, "2026-W44")}},
		// Monday 00:00 UTC, when transport.WeeklyDigestJob fires, ends neither week.
		{time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), nil},
	} {
		if diff := cmp.Diff(tc.want, run(tc.hour), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("fan-out of %s (-want +got):\n%s", tc.hour, diff)
		}
	}
	// The same hour again enqueues the same ids (the queue runs them once).
	if diff := cmp.Diff([]string{jobs.DigestID(ny, "2026-W44")}, run(time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC))); diff != "" {
		t.Errorf("fan-out again (-want +got):\n%s", diff)
	}
	if err := h.DigestFanout(context.Background(), jobs.FanoutJob(time.Date(2026, 11, 9, 5, 0, 0, 0, time.UTC))); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("fan-out of an hour to come: %v, want EINVALID", err)
	}
	q.err = coach.Errorf(coach.EUNAVAILABLE, "redis down")
	err = h.DigestFanout(context.Background(), jobs.FanoutJob(time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)))
	if jobs.Classify(err) != jobs.Retry {
		t.Errorf("fan-out with the queue down: %v, want it retried", err)
	}
}

func TestDigestFanoutThroughTheQueue(t *testing.T) {
	t.Parallel()
	f := newFanoutFixture(t)
	q, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: f.store.DeadLetters()})
	must(t, err, "NewQueue")
	h, err := jobs.New(jobs.Config{Store: f.store, Queue: q, Digester: f.digester})
	must(t, err, "New")
	mux, err := transport.NewMux(transport.MuxConfig{})
	must(t, err, "NewMux")
	must(t, h.Register(mux), "Register")
	w, err := q.NewWorker(transportmemory.WorkerConfig{Concurrency: 2})
	must(t, err, "NewWorker")
	r := &ran{}
	must(t, w.Start(r.handler(mux.Run)), "Start")
	t.Cleanup(w.Shutdown)

	// Two schedulers fire in the same hour: one fan-out, one digest.
	hour := time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{hour, hour.Add(30 * time.Second)} {
		enq, err := q.Enqueue(context.Background(), jobs.FanoutJob(at))
		must(t, err, "enqueue fan-out")
		if enq.Duplicate != (i == 1) {
			t.Errorf("fan-out #%d: duplicate %v", i, enq.Duplicate)
		}
	}
	ny := f.users["America/New_York"]
	r.waitFor(t, jobs.FanoutID(hour), jobs.DigestID(ny, "2026-W44"))
	d, err := f.store.Digests().Latest(context.Background(), ny)
	must(t, err, "Latest")
	if want := (coach.Date{Year: 2026, Month: 10, Day: 26}); d.PeriodStart != want {
		t.Errorf("digest of %s, want the week of %s", d.PeriodStart, want)
	}
	if _, err := f.store.Digests().Latest(context.Background(), f.users["Pacific/Kiritimati"]); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("Kiritimati's digest: %v, want none (its week ended in another hour)", err)
	}
	for _, typ := range []string{jobs.JobDigestFanout, transport.JobDigestWeekly} {
		if attempts, ok := r.count(typ); attempts != 1 || ok != 1 {
			t.Errorf("%s: %d attempts, %d succeeded; want one", typ, attempts, ok)
		}
	}
}
