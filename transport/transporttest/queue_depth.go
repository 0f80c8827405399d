package transporttest

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach/transport"
)

// runDepth checks QueueInspector.Depth through a job's states: jobs enqueued with no worker are
// pending (or scheduled, with a ProcessAt ahead); once a worker runs, a job whose handler runs is
// active, a failed one waits in retry, and finished jobs leave every count.
func runDepth(t *testing.T, qt QueueUnderTest) {
	if qt.Inspector == nil {
		t.Skip("the adapter has no transport.QueueInspector")
	}
	if got := depth(t, qt.Inspector); len(got) != 0 {
		t.Fatalf("Depth of a fresh queue = %v, want no jobs", got)
	}
	const n = 3
	for range n {
		mustEnqueue(t, qt.Queue, job("waiting", transport.QueueScore))
	}
	for range 2 {
		later := job("later", transport.QueueSim)
		later.ProcessAt = time.Now().Add(time.Hour)
		mustEnqueue(t, qt.Queue, later)
	}
	want := map[string]transport.QueueDepth{transport.QueueScore: {Pending: n}, transport.QueueSim: {Scheduled: 2}}
	if diff := cmp.Diff(want, depth(t, qt.Inspector)); diff != "" {
		t.Fatalf("Depth with no worker (-want +got):\n%s", diff)
	}

	failing, blocking := job("failing", transport.QueueImport), job("blocking", transport.QueueDigest)
	failing.MaxRetry = 5
	release := make(chan struct{})
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	startWorker(t, qt, WorkerOptions{Concurrency: 2, Backoff: func(int) time.Duration { return time.Hour }},
		func(ctx context.Context, j transport.Job) error {
			switch j.ID {
			case failing.ID:
				return fail(j, 1)
			case blocking.ID:
				select {
				case <-release:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	mustEnqueue(t, qt.Queue, failing)
	mustEnqueue(t, qt.Queue, blocking)
	waitDepth(t, qt.Inspector, "the waiting jobs to run, one to fail and one to block", map[string]transport.QueueDepth{
		transport.QueueSim: {Scheduled: 2}, transport.QueueImport: {Retry: 1}, transport.QueueDigest: {Active: 1},
	})
	close(release)
	released = true
	waitDepth(t, qt.Inspector, "the blocked job to finish", map[string]transport.QueueDepth{
		transport.QueueSim: {Scheduled: 2}, transport.QueueImport: {Retry: 1},
	})
}

// depth returns Depth without the queues whose counts are all zero.
func depth(t *testing.T, in transport.QueueInspector) map[string]transport.QueueDepth {
	t.Helper()
	got, err := in.Depth(context.Background())
	if err != nil {
		t.Fatalf("Depth: %v", err)
	}
	maps.DeleteFunc(got, func(_ string, d transport.QueueDepth) bool { return d == transport.QueueDepth{} })
	return got
}

// waitDepth waits until Depth (without its all-zero queues) is want, failing t after queueWait
// with the last difference.
func waitDepth(t *testing.T, in transport.QueueInspector, what string, want map[string]transport.QueueDepth) {
	t.Helper()
	deadline := time.Now().Add(queueWait)
	for {
		diff := cmp.Diff(want, depth(t, in))
		if diff == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s; Depth (-want +got):\n%s", queueWait, what, diff)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
