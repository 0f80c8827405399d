package transporttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// QueueUnderTest is a job queue adapter as RunQueue drives it: a queue, the workers that run its
// jobs, and the dead-letter store those workers write to.
//
// The queue's defaults must suit a test: a Retention of at least a minute, and a poll interval
// short enough that a ready job starts within a fraction of a second.
type QueueUnderTest struct {
	// Queue enqueues jobs. Every worker NewWorker makes runs jobs of this queue.
	Queue transport.Queue
	// Requeuer requeues the dead letters the workers stored.
	Requeuer transport.Requeuer
	// DeadLetters is where the workers store dead letters.
	DeadLetters storage.DeadLetters
	// NewWorker returns a worker of Queue, not started, serving the queues of
	// transport.Priorities with o's settings. The suite starts it and shuts it down.
	NewWorker func(t *testing.T, o WorkerOptions) transport.Worker
	// Inspector counts Queue's jobs (usually Queue itself); nil skips the Depth subtests, for an
	// adapter without transport.QueueInspector.
	Inspector transport.QueueInspector
}

// WorkerOptions are the worker settings the suite varies.
type WorkerOptions struct {
	// Concurrency is how many jobs the worker runs at once (the suite uses 1 unless it says).
	Concurrency int
	// StrictPriority makes the worker take a job of a lower-priority queue only when every
	// higher one has none ready; otherwise queues are picked at random by weight.
	StrictPriority bool
	// ShutdownGrace is how long Shutdown waits for jobs in flight before returning them to their
	// queue.
	ShutdownGrace time.Duration
	// Backoff is the retry delay (the suite's is 10 ms).
	Backoff transport.Backoff
}

// RunQueue checks the job queue contract against the queues newQueue makes: deterministic ids,
// ECANCELED for an ended context, retries with backoff, EINVALID not retried, dead letters and requeue, per-attempt timeouts,
// delays, queue priorities, panics, concurrency and graceful shutdown, and (with an Inspector)
// the depth of each queue by state. Each subtest gets a fresh
// queue, so adapters may share a server between subtests as long as their queues are isolated.
func RunQueue(t *testing.T, newQueue func(t *testing.T) QueueUnderTest) {
	t.Run("EnqueueValidates", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		for _, j := range []transport.Job{
			{ID: "x", Queue: transport.QueueScore},
			{Type: "t", Queue: transport.QueueScore},
			{Type: "t", ID: "x"},
			{Type: "t", ID: "x", Queue: transport.QueueScore, MaxRetry: -1},
			{Type: "t", ID: "x", Queue: transport.QueueScore, Timeout: -time.Second},
			{Type: "t", ID: "x", Queue: transport.QueueScore, Retention: -time.Second},
		} {
			_, err := qt.Queue.Enqueue(context.Background(), j)
			wantCode(t, fmt.Sprintf("Enqueue(%+v)", j), err, coach.EINVALID)
		}
	})

	t.Run("ContextEndedIsCanceled", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		runContextEnded(t, "Enqueue", func(ctx context.Context) error {
			_, err := qt.Queue.Enqueue(ctx, job("cancelled", transport.QueueScore))
			return err
		})
	})

	t.Run("SameIDRunsOnce", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		j := job("dedupe", transport.QueueScore)
		if got := mustEnqueue(t, qt.Queue, j); got.Duplicate {
			t.Fatal("first Enqueue reported Duplicate")
		}
		if got := mustEnqueue(t, qt.Queue, j); !got.Duplicate {
			t.Fatal("second Enqueue of a queued id did not report Duplicate")
		}
		startWorker(t, qt, WorkerOptions{}, func(ctx context.Context, j transport.Job) error {
			log.record(j.ID)
			return nil
		})
		waitRuns(t, log, j.ID, 1)
		// Completed, within retention: still a duplicate.
		if got := mustEnqueue(t, qt.Queue, j); !got.Duplicate {
			t.Fatal("Enqueue of a completed id within retention did not report Duplicate")
		}
		settle(t, qt.Queue, log, j.Queue)
		if n := log.count(j.ID); n != 1 {
			t.Fatalf("job ran %d times, want 1", n)
		}
	})

	t.Run("SameIDRunsAgainAfterRetention", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		j := job("retention", transport.QueueScore)
		j.Retention = time.Second
		startWorker(t, qt, WorkerOptions{}, func(ctx context.Context, j transport.Job) error {
			log.record(j.ID)
			return nil
		})
		mustEnqueue(t, qt.Queue, j)
		waitRuns(t, log, j.ID, 1)
		waitFor(t, "the id to be forgotten after its retention", func() bool {
			return !mustEnqueue(t, qt.Queue, j).Duplicate
		})
		waitRuns(t, log, j.ID, 2)
	})

	t.Run("RetriesWithBackoff", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		var mu sync.Mutex
		var backoffs []int
		backoff := func(n int) time.Duration {
			mu.Lock()
			defer mu.Unlock()
			backoffs = append(backoffs, n)
			return 10 * time.Millisecond
		}
		j := job("flaky", transport.QueueImport)
		j.MaxRetry = 5
		startWorker(t, qt, WorkerOptions{Backoff: backoff}, func(ctx context.Context, got transport.Job) error {
			n := log.record(got.ID)
			if got.ID == j.ID && n <= 2 {
				return fail(got, n)
			}
			return nil
		})
		mustEnqueue(t, qt.Queue, j)
		waitRuns(t, log, j.ID, 3)
		settle(t, qt.Queue, log, j.Queue)
		if n := log.count(j.ID); n != 3 {
			t.Fatalf("job ran %d times, want 3", n)
		}
		mu.Lock()
		defer mu.Unlock()
		if diff := cmp.Diff([]int{1, 2}, backoffs); diff != "" {
			t.Errorf("Backoff calls (-want +got):\n%s", diff)
		}
		if list, _ := qt.DeadLetters.List(context.Background(), "", 0); len(list) != 0 {
			t.Errorf("a job that succeeded was dead-lettered: %+v", list)
		}
	})

	t.Run("InvalidIsNotRetried", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		j := job("invalid", transport.QueueScore)
		j.MaxRetry = 5
		startWorker(t, qt, WorkerOptions{}, func(ctx context.Context, got transport.Job) error {
			log.record(got.ID)
			if got.ID == j.ID {
				return coach.Errorf(coach.EINVALID, "payload: bad symbol")
			}
			return nil
		})
		mustEnqueue(t, qt.Queue, j)
		d := waitDeadLetter(t, qt.DeadLetters, j)
		settle(t, qt.Queue, log, j.Queue)
		if n := log.count(j.ID); n != 1 {
			t.Fatalf("EINVALID job ran %d times, want 1", n)
		}
		if d.Attempts != 1 || !strings.Contains(d.Error, "payload: bad symbol") {
			t.Errorf("dead letter = %+v, want 1 attempt and the handler's error", d)
		}
	})

	t.Run("ExhaustedRetriesAreDeadLetteredAndRequeued", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		var healed atomic.Bool
		j := job("doomed", transport.QueueSim)
		j.Type = transport.JobSimulateSimple
		j.MaxRetry = 2
		before := time.Now()
		startWorker(t, qt, WorkerOptions{}, func(ctx context.Context, got transport.Job) error {
			n := log.record(got.ID)
			if got.ID == j.ID && !healed.Load() {
				return fail(got, n)
			}
			return nil
		})
		mustEnqueue(t, qt.Queue, j)
		d := waitDeadLetter(t, qt.DeadLetters, j)
		want := storage.DeadLetter{
			ID: transport.DeadLetterID(j.Queue, j.ID), Queue: j.Queue, TaskType: j.Type, TaskID: j.ID,
			Payload: j.Payload, Error: fail(j, 3).Error(), Attempts: 3,
		}
		got := d
		got.FailedAt = time.Time{}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("dead letter (-want +got):\n%s", diff)
		}
		if d.FailedAt.Before(before.Add(-time.Second)) || d.FailedAt.After(time.Now().Add(time.Second)) {
			t.Errorf("dead letter FailedAt %v is not the time of the failure", d.FailedAt)
		}
		if n := log.count(j.ID); n != 3 {
			t.Fatalf("job ran %d times, want 3 (MaxRetry 2)", n)
		}
		// A dead-lettered id stays taken until it is requeued.
		if got := mustEnqueue(t, qt.Queue, j); !got.Duplicate {
			t.Error("Enqueue of a dead-lettered id did not report Duplicate")
		}
		settle(t, qt.Queue, log, j.Queue)
		if n := log.count(j.ID); n != 3 {
			t.Fatalf("dead-lettered job ran again (%d times) without a requeue", n)
		}

		healed.Store(true)
		if got, err := qt.Requeuer.Requeue(context.Background(), d.ID); err != nil || got.Duplicate {
			t.Fatalf("Requeue = %+v, %v; want a fresh enqueue", got, err)
		}
		waitRuns(t, log, j.ID, 4)
		if list, err := qt.DeadLetters.List(context.Background(), "", 0); err != nil || len(list) != 0 {
			t.Errorf("dead letters after Requeue = %+v, %v; want none", list, err)
		}
		_, err := qt.Requeuer.Requeue(context.Background(), d.ID)
		wantCode(t, "second Requeue", err, coach.ENOTFOUND)
	})

	t.Run("RequeueUnknownIsNotFound", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		_, err := qt.Requeuer.Requeue(context.Background(), transport.DeadLetterID(transport.QueueSim, "nope"))
		wantCode(t, "Requeue of an unknown dead letter", err, coach.ENOTFOUND)
	})

	t.Run("PanicIsAFailure", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		j := job("panics", transport.QueueScore)
		j.MaxRetry = 3
		startWorker(t, qt, WorkerOptions{}, func(ctx context.Context, got transport.Job) error {
			if log.record(got.ID) == 1 && got.ID == j.ID {
				panic("handler bug")
			}
			return nil
		})
		mustEnqueue(t, qt.Queue, j)
		waitRuns(t, log, j.ID, 2)
		settle(t, qt.Queue, log, j.Queue) // the worker survived the panic
		if n := log.count(j.ID); n != 2 {
			t.Fatalf("job ran %d times, want 2", n)
		}
	})

	t.Run("AttemptHasTheJobTimeout", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		j := job("slow", transport.QueueImport)
		j.Timeout, j.MaxRetry = time.Second, 1
		enqueued := time.Now()
		errs := make(chan error, 4)
		startWorker(t, qt, WorkerOptions{}, func(ctx context.Context, got transport.Job) error {
			log.record(got.ID)
			if got.ID != j.ID {
				return nil
			}
			start := time.Now()
			deadline, ok := ctx.Deadline()
			switch {
			case !ok:
				errs <- errors.New("attempt context has no deadline")
			case deadline.Before(enqueued) || deadline.After(start.Add(j.Timeout)):
				errs <- fmt.Errorf("attempt deadline %v is not within the job's timeout of %v (started %v)", deadline, j.Timeout, start)
			}
			<-ctx.Done()
			return ctx.Err()
		})
		mustEnqueue(t, qt.Queue, j)
		d := waitDeadLetter(t, qt.DeadLetters, j)
		if d.Attempts != 2 {
			t.Errorf("dead letter of a job that timed out twice has %d attempts, want 2", d.Attempts)
		}
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("ProcessAtDelays", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		later, now := job("later", transport.QueueScore), job("now", transport.QueueScore)
		later.ProcessAt = time.Now().Add(1500 * time.Millisecond)
		mustEnqueue(t, qt.Queue, later)
		mustEnqueue(t, qt.Queue, now)
		var startedLater time.Time
		var mu sync.Mutex
		startWorker(t, qt, WorkerOptions{}, func(ctx context.Context, got transport.Job) error {
			if got.ID == later.ID {
				mu.Lock()
				startedLater = time.Now()
				mu.Unlock()
			}
			log.record(got.ID)
			return nil
		})
		waitRuns(t, log, later.ID, 1)
		if diff := cmp.Diff([]string{now.ID, later.ID}, log.sequence()); diff != "" {
			t.Errorf("run order (-want +got):\n%s", diff)
		}
		mu.Lock()
		defer mu.Unlock()
		if startedLater.Before(later.ProcessAt) {
			t.Errorf("delayed job started at %v, before its ProcessAt %v", startedLater, later.ProcessAt)
		}
	})

	t.Run("StrictPriorityOrder", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		queues := []string{transport.QueueImport, transport.QueueScore, transport.QueueSim, transport.QueueDigest}
		var want []string
		for _, q := range queues {
			want = append(want, q, q, q)
		}
		for i := len(queues) - 1; i >= 0; i-- { // lowest priority first
			for range 3 {
				mustEnqueue(t, qt.Queue, job("prio", queues[i]))
			}
		}
		var got []string
		var mu sync.Mutex
		startWorker(t, qt, WorkerOptions{StrictPriority: true}, func(ctx context.Context, j transport.Job) error {
			mu.Lock()
			got = append(got, j.Queue)
			mu.Unlock()
			log.record(j.ID)
			return nil
		})
		waitFor(t, "12 jobs", func() bool { return len(log.sequence()) == 12 })
		mu.Lock()
		defer mu.Unlock()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("queues in run order (-want +got):\n%s", diff)
		}
	})

	t.Run("WeightedPriorityFavoursButDoesNotStarve", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		const n = 60
		for range n {
			mustEnqueue(t, qt.Queue, job("digest", transport.QueueDigest))
			mustEnqueue(t, qt.Queue, job("import", transport.QueueImport))
		}
		var got []string
		var mu sync.Mutex
		startWorker(t, qt, WorkerOptions{}, func(ctx context.Context, j transport.Job) error {
			mu.Lock()
			got = append(got, j.Queue)
			mu.Unlock()
			log.record(j.ID)
			return nil
		})
		waitFor(t, "all jobs", func() bool { return len(log.sequence()) == 2*n })
		mu.Lock()
		defer mu.Unlock()
		imports, lastImport, firstDigest := 0, -1, -1
		for i, q := range got {
			if q == transport.QueueImport {
				lastImport = i
				if i < n {
					imports++
				}
			} else if firstDigest < 0 {
				firstDigest = i
			}
		}
		// Weights 4:1 make about 48 of the first 60 jobs imports; 30 or fewer has a probability
		// below 1e-8, and so has every digest waiting for the last import.
		if imports <= n/2 {
			t.Errorf("%d of the first %d jobs were imports; weight 4 against 1 should favour them", imports, n)
		}
		if firstDigest > lastImport {
			t.Errorf("no digest job ran before the last import job: the low-priority queue starved")
		}
	})

	t.Run("RunsConcurrently", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		const workers = 4
		var running, most atomic.Int32
		release := make(chan struct{})
		var once sync.Once
		log := newRunLog()
		startWorker(t, qt, WorkerOptions{Concurrency: workers}, func(ctx context.Context, j transport.Job) error {
			n := running.Add(1)
			defer running.Add(-1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			if n == workers {
				once.Do(func() { close(release) })
			}
			select {
			case <-release:
			case <-time.After(queueWait):
			}
			log.record(j.ID)
			return nil
		})
		for range 2 * workers {
			mustEnqueue(t, qt.Queue, job("parallel", transport.QueueSim))
		}
		waitFor(t, "8 jobs", func() bool { return len(log.sequence()) == 2*workers })
		if got := most.Load(); got != workers {
			t.Errorf("at most %d jobs ran at once, want %d", got, workers)
		}
	})

	t.Run("ShutdownLetsJobsInFlightFinish", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		j := job("inflight", transport.QueueScore)
		started, proceed := make(chan struct{}), make(chan struct{})
		var finished atomic.Bool
		w := startWorker(t, qt, WorkerOptions{ShutdownGrace: queueWait}, func(ctx context.Context, got transport.Job) error {
			log.record(got.ID)
			if got.ID == j.ID {
				close(started)
				<-proceed
				finished.Store(true)
			}
			return nil
		})
		mustEnqueue(t, qt.Queue, j)
		<-started
		done := make(chan struct{})
		go func() { w.Shutdown(); close(done) }()
		select {
		case <-done:
			t.Fatal("Shutdown returned while a job was still running")
		default:
		}
		close(proceed)
		<-done
		if !finished.Load() {
			t.Fatal("Shutdown returned before the job in flight finished")
		}
		// Jobs enqueued after the shutdown wait for the next worker; the finished one does not run
		// again.
		after := job("after", transport.QueueScore)
		mustEnqueue(t, qt.Queue, after)
		startWorker(t, qt, WorkerOptions{}, func(ctx context.Context, got transport.Job) error {
			log.record(got.ID)
			return nil
		})
		waitRuns(t, log, after.ID, 1)
		settle(t, qt.Queue, log, j.Queue)
		if n := log.count(j.ID); n != 1 {
			t.Fatalf("job that finished during shutdown ran %d times, want 1", n)
		}
	})

	t.Run("ShutdownReturnsOverrunningJobsToTheQueue", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		j := job("overrun", transport.QueueDigest)
		j.MaxRetry = 1
		var backoffs atomic.Int32
		backoff := func(int) time.Duration { backoffs.Add(1); return 10 * time.Millisecond }
		started := make(chan struct{})
		cancelled := make(chan struct{})
		w := startWorker(t, qt, WorkerOptions{ShutdownGrace: 200 * time.Millisecond, Backoff: backoff},
			func(ctx context.Context, got transport.Job) error {
				log.record(got.ID)
				close(started)
				<-ctx.Done()
				close(cancelled)
				return ctx.Err()
			})
		mustEnqueue(t, qt.Queue, j)
		<-started
		w.Shutdown()
		select {
		case <-cancelled:
		case <-time.After(queueWait):
			t.Fatal("the overrunning job's context was not cancelled")
		}
		startWorker(t, qt, WorkerOptions{Backoff: backoff}, func(ctx context.Context, got transport.Job) error {
			log.record(got.ID)
			return nil
		})
		waitRuns(t, log, j.ID, 2)
		settle(t, qt.Queue, log, j.Queue)
		if n := log.count(j.ID); n != 2 {
			t.Errorf("returned job ran %d times, want 2", n)
		}
		if n := backoffs.Load(); n != 0 {
			t.Errorf("the returned job was counted as failed (%d backoffs)", n)
		}
		if list, _ := qt.DeadLetters.List(context.Background(), "", 0); len(list) != 0 {
			t.Errorf("dead letters = %+v, want none", list)
		}
	})

	t.Run("Depth/CountsJobsByState", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		runDepth(t, qt)
	})

	t.Run("Depth/ContextEndedIsCanceled", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		if qt.Inspector == nil {
			t.Skip("the adapter has no transport.QueueInspector")
		}
		runContextEnded(t, "Depth", func(ctx context.Context) error {
			_, err := qt.Inspector.Depth(ctx)
			return err
		})
	})

	t.Run("NoAcceptedJobIsLostAcrossWorkerRestarts", func(t *testing.T) {
		t.Parallel()
		qt := newQueue(t)
		log := newRunLog()
		handler := func(ctx context.Context, j transport.Job) error {
			if !bytes.Contains(j.Payload, []byte(j.ID)) {
				return coach.Errorf(coach.EINVALID, "payload %s is not job %s's", j.Payload, j.ID)
			}
			log.record(j.ID)
			return nil
		}
		var mu sync.Mutex
		var accepted []string
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 50 {
					j := job("many", transport.QueueImport)
					if _, err := qt.Queue.Enqueue(context.Background(), j); err == nil {
						mu.Lock()
						accepted = append(accepted, j.ID)
						mu.Unlock()
					}
				}
			})
		}
		for range 3 {
			w := startWorker(t, qt, WorkerOptions{Concurrency: 3, ShutdownGrace: 50 * time.Millisecond}, handler)
			waitFor(t, "some jobs to run", func() bool { return len(log.sequence()) > 0 })
			w.Shutdown()
		}
		wg.Wait()
		startWorker(t, qt, WorkerOptions{Concurrency: 3}, handler)
		if len(accepted) != 200 {
			t.Errorf("%d of 200 enqueues accepted", len(accepted))
		}
		for _, id := range accepted {
			waitRuns(t, log, id, 1)
		}
	})
}
