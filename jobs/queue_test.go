package jobs_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
	"github.com/tradecoach/coach/transport/memory"
)

// ran records the jobs a worker ran: the Handler it gives the worker runs the Mux and notes
// each attempt.
type ran struct {
	mu   sync.Mutex
	runs []attempt
}

type attempt struct {
	typ, id string
	err     error
}

func (r *ran) handler(next transport.Handler) transport.Handler {
	return func(ctx context.Context, j transport.Job) error {
		err := next(ctx, j)
		r.mu.Lock()
		r.runs = append(r.runs, attempt{j.Type, j.ID, err})
		r.mu.Unlock()
		return err
	}
}

// count returns how many attempts of jobs of typ ran, and how many of them succeeded.
func (r *ran) count(typ string) (attempts, ok int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.runs {
		if a.typ == typ {
			attempts++
			if a.err == nil {
				ok++
			}
		}
	}
	return attempts, ok
}

// succeeded reports whether the job id ran without error.
func (r *ran) succeeded(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.ContainsFunc(r.runs, func(a attempt) bool { return a.id == id && a.err == nil })
}

// waitFor waits until every job of ids has succeeded.
func (r *ran) waitFor(t testing.TB, ids ...string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for _, id := range ids {
		for !r.succeeded(id) {
			if time.Now().After(deadline) {
				r.mu.Lock()
				t.Fatalf("job %s did not succeed; runs: %+v", id, r.runs)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// serve starts w with the fixture's handlers on q, recording what runs, until the test ends.
func serve(t *testing.T, f *fixture, q transport.Queue, w transport.Worker) *ran {
	t.Helper()
	mux, err := transport.NewMux(transport.MuxConfig{})
	must(t, err, "NewMux")
	must(t, f.handlers(q).Register(mux), "Register")
	r := &ran{}
	must(t, w.Start(r.handler(mux.Run)), "Start")
	t.Cleanup(w.Shutdown)
	return r
}

// duplicatesRunOnce enqueues an import and a digest twice each, before and while a worker runs
// them, and checks that each ran once: the import fetched the fills once, the score job it
// enqueued ran once, the digest was built once (one digest.ready event).
func duplicatesRunOnce(t *testing.T, f *fixture, q transport.Queue, w transport.Worker) {
	imp := f.job(jobs.ImportJob(f.importPayload()))
	dig := f.job(jobs.DigestJob(jobs.DigestPayload{UserID: f.user.ID, Week: f.lastWeek().String()}))
	enqueue := func(j transport.Job, wantDup bool) {
		t.Helper()
		got, err := q.Enqueue(f.ctx, j)
		must(t, err, "enqueue "+j.ID)
		if got.Duplicate != wantDup {
			t.Errorf("enqueue %s: duplicate %v, want %v", j.ID, got.Duplicate, wantDup)
		}
	}
	enqueue(imp, false)
	enqueue(imp, true)
	enqueue(dig, false)
	r := serve(t, f, q, w)
	enqueue(dig, true)
	score := jobs.ScoreID(f.user.ID, f.demo.Start(), f.demo.End(), f.cfg.Scorer.Version())
	r.waitFor(t, imp.ID, score, dig.ID)
	// Completed jobs keep their ids for their retention: enqueueing them again is a duplicate.
	enqueue(imp, true)
	enqueue(dig, true)
	sc := f.job(jobs.ScoreJob(jobs.ScorePayload{UserID: f.user.ID, From: f.demo.Start(), To: f.demo.End(), DefinitionVersion: f.cfg.Scorer.Version()}))
	enqueue(sc, true)

	for _, typ := range []string{transport.JobImportTrades, transport.JobScoreBias, transport.JobDigestWeekly} {
		if attempts, ok := r.count(typ); attempts != 1 || ok != 1 {
			t.Errorf("%s: %d attempts, %d succeeded; want one", typ, attempts, ok)
		}
	}
	if n := f.broker.calls.Load(); n != 1 {
		t.Errorf("the broker's fills were fetched %d times, want once", n)
	}
	_, counts := f.events()
	if counts[coach.EventDigestReady] != 1 || counts[coach.EventCoachReflect] == 0 {
		t.Errorf("events %v, want one digest.ready and the coach.reflect of the scoring", counts)
	}
}

func TestDuplicateEnqueuesRunOnceOnTheMemoryQueue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q, err := memory.NewQueue(memory.QueueConfig{DeadLetters: f.store.DeadLetters()})
	must(t, err, "NewQueue")
	w, err := q.NewWorker(memory.WorkerConfig{Concurrency: 4})
	must(t, err, "NewWorker")
	duplicatesRunOnce(t, f, q, w)
}

func TestDuplicateEnqueuesRunOnceOnAsynq(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	client := asynqtest.MustOpenDB(t)
	q, err := asynq.New(client, asynq.Config{DeadLetters: f.store.DeadLetters()})
	must(t, err, "asynq.New")
	w, err := q.NewWorker(asynq.WorkerConfig{Concurrency: 4, PollInterval: 50 * time.Millisecond, ShutdownTimeout: 5 * time.Second})
	must(t, err, "NewWorker")
	duplicatesRunOnce(t, f, q, w)
}
