package jobs_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
	"github.com/tradecoach/coach/transport/memory"
)

// TestTwoWorkersRunTheScheduleOncePerPeriod is issue 15's acceptance for the schedule — the
// digest fan-out, the sync fan-out (every 15 minutes, and the imports it starts) and retention:
// two hosts share one real Redis (transport/asynq) and one store; each runs the whole schedule
// (jobs.Schedule, fired by its own scheduler through a day) and a worker with every handler.
// Every job of every period runs once, the fan-out and the retention jobs concurrently, and each
// old digest is archived once (Puts counted per key) and deleted.
func TestTwoWorkersRunTheScheduleOncePerPeriod(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	blobs := newCountingBlobs(f.blobs)
	f.cfg.Retention = &jobs.RetentionConfig{Blobs: blobs}
	end := f.clock.Now()

	other := coach.User{ID: coach.NewID(), CreatedAt: f.demo.Start(), TimeZone: "America/New_York"}
	must(t, f.store.Users().Create(f.ctx, other), "create user")
	put := func(userID string, start time.Time) coach.Digest {
		d, err := f.store.Digests().Put(f.ctx, coach.Digest{ID: coach.NewID(), UserID: userID, PeriodStart: coach.DateOf(start),
			PeriodEnd: coach.DateOf(start).AddDays(6), Payload: json.RawMessage(`{"fomo":1}`), CreatedAt: start.AddDate(0, 0, 7)})
		must(t, err, "put digest")
		return d
	}
	var old []coach.Digest
	for _, userID := range []string{f.user.ID, other.ID} {
		for m := 7; m <= 12; m++ {
			old = append(old, put(userID, end.AddDate(0, -m, 0)))
		}
	}
	young := put(other.ID, end.AddDate(0, -1, 0))

	client := asynqtest.MustOpenDB(t)
	var (
		mu    sync.Mutex
		added = map[string]int{} // enqueued, not as a duplicate, by job id
	)
	onEnqueue := func(j transport.Job, e transport.Enqueued, err error) {
		if err != nil {
			t.Errorf("enqueue %s: %v", j.ID, err)
			return
		}
		if !e.Duplicate {
			mu.Lock()
			added[j.ID]++
			mu.Unlock()
		}
	}
	schedClock := coach.NewManualClock(end.Add(-25 * time.Hour))
	var (
		runs   []*ran
		scheds []*memory.Scheduler
	)
	for host := range 2 {
		rc := client
		if host == 1 { // the second host has a client of its own on the same database
			rc = goredis.NewClient(&goredis.Options{Addr: asynqtest.Addr(), DB: client.Options().DB})
			t.Cleanup(func() { rc.Close() })
		}
		q, err := asynq.New(rc, asynq.Config{DeadLetters: f.store.DeadLetters()})
		must(t, err, "asynq.New")
		w, err := q.NewWorker(asynq.WorkerConfig{Concurrency: 4, PollInterval: 50 * time.Millisecond, ShutdownTimeout: 5 * time.Second})
		must(t, err, "NewWorker")
		// The handlers' own enqueues (the fan-out's digests) are counted too.
		runs = append(runs, serveSlowly(t, f, notifyingQueue{q, onEnqueue}, w))
		s, err := memory.NewScheduler(memory.SchedulerConfig{Queue: q, Clock: schedClock, Schedule: jobs.Schedule(), OnEnqueue: onEnqueue})
		must(t, err, "NewScheduler")
		scheds = append(scheds, s)
	}
	// Through a day, hour by hour, both hosts' schedulers fire at once.
	for range 25 {
		schedClock.Advance(time.Hour)
		var wg sync.WaitGroup
		for _, s := range scheds {
			wg.Go(func() {
				if _, err := s.Tick(context.Background()); err != nil {
					t.Errorf("Tick: %v", err)
				}
			})
		}
		wg.Wait()
	}

	mu.Lock()
	ids := make([]string, 0, len(added))
	types := map[string]int{}
	for id, n := range added {
		ids = append(ids, id)
		if n != 1 {
			t.Errorf("job %s enqueued %d times, not as a duplicate", id, n)
		}
	}
	mu.Unlock()
	for _, p := range jobs.Schedule() {
		for _, id := range ids {
			if len(id) > len(p.Name) && id[:len(p.Name)+1] == p.Name+":" {
				types[p.Name]++
			}
		}
	}
	for typ, want := range map[string]int{jobs.JobDigestFanout: 25, jobs.JobRetentionSessions: 25, jobs.JobRetentionExports: 25,
		jobs.JobSyncFanout: 100} {
		if types[typ] != want {
			t.Errorf("%d %s jobs enqueued, want %d (one a period)", types[typ], typ, want)
		}
	}
	for _, typ := range []string{jobs.JobRetentionOutbox, jobs.JobRetentionDigests, jobs.JobRetentionDeadLetters, jobs.JobRetentionWebhooks} {
		if types[typ] < 1 || types[typ] > 2 {
			t.Errorf("%d %s jobs enqueued in 25 hours, want one a day", types[typ], typ)
		}
	}

	waitAll(t, runs, ids)
	// The digests the fan-outs enqueued while they ran, too.
	mu.Lock()
	ids = ids[:0]
	for id := range added {
		ids = append(ids, id)
	}
	mu.Unlock()
	waitAll(t, runs, ids)
	// Whatever ran (the scheduled jobs and any digest the fan-out started) ran once, in one worker.
	attempts := map[string]int{}
	perWorker := make([]int, len(runs))
	for i, r := range runs {
		r.mu.Lock()
		for _, a := range r.runs {
			attempts[a.id]++
			perWorker[i]++
			if a.err != nil {
				t.Errorf("job %s failed: %v", a.id, a.err)
			}
		}
		r.mu.Unlock()
	}
	for id, n := range attempts {
		if n != 1 {
			t.Errorf("job %s ran %d times, want once", id, n)
		}
	}
	t.Logf("jobs run by each worker: %v", perWorker)
	for i, n := range perWorker {
		if n == 0 {
			t.Errorf("worker %d ran no job: the two did not run concurrently", i)
		}
	}

	for _, d := range old {
		if n := blobs.putsOf(jobs.DigestArchiveKey(d)); n != 1 {
			t.Errorf("digest of %s, week %s: archived %d times, want once", d.UserID, d.PeriodStart, n)
		}
		if _, err := f.store.Digests().Get(f.ctx, d.UserID, d.ID); coach.ErrorCode(err) != coach.ENOTFOUND {
			t.Errorf("archived digest of week %s still stored: %v", d.PeriodStart, err)
		}
	}
	if _, err := f.store.Digests().Get(f.ctx, other.ID, young.ID); err != nil {
		t.Errorf("the digest of a month ago: %v, want it kept", err)
	}
}

// waitAll waits until every job of ids has succeeded on one of the workers.
func waitAll(t *testing.T, runs []*ran, ids []string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for _, id := range ids {
		for {
			done := false
			for _, r := range runs {
				done = done || r.succeeded(id)
			}
			if done {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s did not succeed", id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// notifyingQueue is a transport.Queue that tells notify the outcome of each enqueue.
type notifyingQueue struct {
	transport.Queue
	notify func(transport.Job, transport.Enqueued, error)
}

func (q notifyingQueue) Enqueue(ctx context.Context, j transport.Job) (transport.Enqueued, error) {
	e, err := q.Queue.Enqueue(ctx, j)
	q.notify(j, e, err)
	return e, err
}

// serveSlowly is serve with each job taking at least 5 ms, so that both workers get their share
// of the jobs while the schedulers fire.
func serveSlowly(t *testing.T, f *fixture, q transport.Queue, w transport.Worker) *ran {
	t.Helper()
	mux, err := transport.NewMux(transport.MuxConfig{})
	must(t, err, "NewMux")
	must(t, f.handlers(q).Register(mux), "Register")
	r := &ran{}
	slow := func(ctx context.Context, j transport.Job) error {
		time.Sleep(5 * time.Millisecond)
		return mux.Run(ctx, j)
	}
	must(t, w.Start(r.handler(slow)), "Start")
	t.Cleanup(w.Shutdown)
	return r
}
