package transporttest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// queueWait bounds how long the queue suite waits for a job to run or a dead letter to appear; a
// deadline for a hang, not a performance assertion (a Redis-backed queue polls, and retries
// there have one-second granularity).
const queueWait = 30 * time.Second

// runLog records the attempts handlers made, by job id, in order.
type runLog struct {
	mu    sync.Mutex
	runs  map[string]int
	order []string
}

func newRunLog() *runLog { return &runLog{runs: make(map[string]int)} }

// record notes an attempt of id and returns its number (1 for the first).
func (r *runLog) record(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs[id]++
	r.order = append(r.order, id)
	return r.runs[id]
}

func (r *runLog) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[id]
}

func (r *runLog) sequence() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.order)
}

// waitFor polls cond until it holds, failing t after queueWait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(queueWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", queueWait, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitRuns waits until job id has run at least n times.
func waitRuns(t *testing.T, log *runLog, id string, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("job %s to run %d times (ran %d)", id, n, log.count(id)), func() bool {
		return log.count(id) >= n
	})
}

// settle enqueues a marker job on queue and waits until it has run. With one worker of
// concurrency 1 every job that was ready on that queue before the marker has run by then, so a
// job that would run twice would have done so.
func settle(t *testing.T, q transport.Queue, log *runLog, queue string) {
	t.Helper()
	marker := job("marker", queue)
	mustEnqueue(t, q, marker)
	waitRuns(t, log, marker.ID, 1)
}

// waitDeadLetter waits until the dead letter of j is stored and returns it.
func waitDeadLetter(t *testing.T, dl storage.DeadLetters, j transport.Job) storage.DeadLetter {
	t.Helper()
	id := transport.DeadLetterID(j.Queue, j.ID)
	var got storage.DeadLetter
	waitFor(t, "dead letter "+id, func() bool {
		list, err := dl.List(context.Background(), j.Queue, 0)
		if err != nil {
			t.Fatalf("DeadLetters.List: %v", err)
		}
		for _, d := range list {
			if d.ID == id {
				got = d
				return true
			}
		}
		return false
	})
	return got
}

// job returns a job of a fresh random id on queue whose Type names what it is for.
func job(kind, queue string) transport.Job {
	id := fmt.Sprintf("%s:%016x", kind, rand.Uint64())
	return transport.Job{Type: "test." + kind, ID: id, Queue: queue, Payload: []byte(`{"id":"` + id + `"}`)}
}

func mustEnqueue(t *testing.T, q transport.Queue, j transport.Job) transport.Enqueued {
	t.Helper()
	got, err := q.Enqueue(context.Background(), j)
	if err != nil {
		t.Fatalf("Enqueue %s: %v", j.ID, err)
	}
	return got
}

// startWorker makes a worker of qt with o, starts it with h and shuts it down at cleanup.
func startWorker(t *testing.T, qt QueueUnderTest, o WorkerOptions, h transport.Handler) transport.Worker {
	t.Helper()
	if o.Concurrency == 0 {
		o.Concurrency = 1
	}
	if o.ShutdownGrace == 0 {
		o.ShutdownGrace = 5 * time.Second
	}
	if o.Backoff == nil {
		o.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
	}
	w := qt.NewWorker(t, o)
	if err := w.Start(h); err != nil {
		t.Fatalf("Worker.Start: %v", err)
	}
	t.Cleanup(w.Shutdown)
	return w
}

// fail returns an internal (retried) error for attempt n of j.
func fail(j transport.Job, n int) error {
	return fmt.Errorf("boom: %s attempt %d", j.ID, n)
}

func wantCode(t *testing.T, what string, err error, code coach.Code) {
	t.Helper()
	if got := coach.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v has code %q, want %q", what, err, got, code)
	}
}
