package memory_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	storagememory "github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/memory"
)

// idQueue is a transport.Queue that records every job id enqueued and reports an id seen before
// as a duplicate; with fail set it refuses every job.
type idQueue struct {
	mu   sync.Mutex
	ids  []string
	seen map[string]bool
	fail bool
}

func (q *idQueue) Enqueue(_ context.Context, j transport.Job) (transport.Enqueued, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail {
		return transport.Enqueued{}, coach.Errorf(coach.EUNAVAILABLE, "queue down")
	}
	if q.seen == nil {
		q.seen = map[string]bool{}
	}
	dup := q.seen[j.ID]
	q.seen[j.ID] = true
	q.ids = append(q.ids, j.ID)
	return transport.Enqueued{Duplicate: dup}, nil
}

func (q *idQueue) take() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	ids := q.ids
	q.ids = nil
	return ids
}

func (q *idQueue) setFail(fail bool) {
	q.mu.Lock()
	q.fail = fail
	q.mu.Unlock()
}

// periodic is an entry whose job id is the name and the firing's UTC time truncated to period.
func periodic(name, spec string, period time.Duration) transport.Periodic {
	return transport.Periodic{Name: name, Cron: spec, Job: func(at time.Time) transport.Job {
		return transport.Job{Type: name, ID: name + ":" + at.UTC().Truncate(period).Format(time.RFC3339), Queue: transport.QueueDigest}
	}}
}

func newScheduler(t *testing.T, q transport.Queue, clock coach.Clock, maxCatchUp int) *memory.Scheduler {
	t.Helper()
	s, err := memory.NewScheduler(memory.SchedulerConfig{Queue: q, Clock: clock, MaxCatchUp: maxCatchUp, Schedule: []transport.Periodic{
		periodic("hourly", "0 * * * *", time.Hour),
		periodic("daily", "15 3 * * *", 24*time.Hour),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSchedulerEnqueuesEachFiringOnceByTheClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC))
	q := &idQueue{}
	s := newScheduler(t, q, clock, 0)
	tick := func(want ...string) {
		t.Helper()
		n, err := s.Tick(ctx)
		if err != nil {
			t.Fatalf("Tick: %v", err)
		}
		got := q.take()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Tick at %s (-want +got):\n%s", clock.Now().Format(time.RFC3339), diff)
		}
		if n != len(got) {
			t.Errorf("Tick = %d, enqueued %d", n, len(got))
		}
	}
	tick()                                                 // 01:30: nothing due yet
	clock.Set(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)) // a firing is due at its very time
	tick("hourly:2026-03-02T02:00:00Z")
	tick()                          // once
	clock.Advance(90 * time.Minute) // 03:30: the hour of 03:00 and the day's 03:15
	tick("hourly:2026-03-02T03:00:00Z", "daily:2026-03-02T00:00:00Z")
	clock.Advance(24 * time.Hour) // every hour of a day passed, in order, and the next day
	want := []string{}
	for h := 4; h <= 27; h++ {
		want = append(want, "hourly:"+time.Date(2026, 3, 2, h, 0, 0, 0, time.UTC).Format(time.RFC3339))
	}
	tick(append(want, "daily:2026-03-03T00:00:00Z")...)
}

func TestSchedulerRetriesAFailedFiringAtTheNextTick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC))
	q := &idQueue{}
	var outcomes []error
	s, err := memory.NewScheduler(memory.SchedulerConfig{Queue: q, Clock: clock, Schedule: []transport.Periodic{periodic("hourly", "0 * * * *", time.Hour)},
		OnEnqueue: func(_ transport.Job, _ transport.Enqueued, err error) { outcomes = append(outcomes, err) }})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour) // 02:00 and 03:00 due
	q.setFail(true)
	if n, err := s.Tick(ctx); coach.ErrorCode(err) != coach.EUNAVAILABLE || n != 0 {
		t.Fatalf("Tick with the queue down = %d, %v; want 0, EUNAVAILABLE", n, err)
	}
	if len(outcomes) != 1 || outcomes[0] == nil {
		t.Errorf("OnEnqueue told %v, want one failure (the entry stops at its first failed firing)", outcomes)
	}
	q.setFail(false)
	if n, err := s.Tick(ctx); err != nil || n != 2 {
		t.Fatalf("Tick with the queue back = %d, %v; want 2", n, err)
	}
	if diff := cmp.Diff([]string{"hourly:2026-03-02T02:00:00Z", "hourly:2026-03-02T03:00:00Z"}, q.take()); diff != "" {
		t.Errorf("firings after the queue came back (-want +got):\n%s", diff)
	}
}

func TestSchedulerCatchesUpAtMostMaxCatchUpFirings(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2026, 3, 2, 0, 30, 0, 0, time.UTC))
	q := &idQueue{}
	s := newScheduler(t, q, clock, 3)
	clock.Set(time.Date(2026, 3, 12, 0, 30, 0, 0, time.UTC)) // ten days later
	if _, err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"hourly:2026-03-11T22:00:00Z", "hourly:2026-03-11T23:00:00Z", "hourly:2026-03-12T00:00:00Z",
		"daily:2026-03-09T00:00:00Z", "daily:2026-03-10T00:00:00Z", "daily:2026-03-11T00:00:00Z"}
	if diff := cmp.Diff(want, q.take()); diff != "" {
		t.Errorf("firings after a ten-day jump (-want +got):\n%s", diff)
	}
}

// TestTwoSchedulersOnOneQueueRunEachFiringOnce: two hosts run the same schedule on one memory
// queue; every job of every period is enqueued once, the second scheduler's firing a duplicate.
func TestTwoSchedulersOnOneQueueRunEachFiringOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(time.Date(2026, 3, 2, 0, 30, 0, 0, time.UTC))
	q, err := memory.NewQueue(memory.QueueConfig{DeadLetters: newDeadLetters()})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	added := map[string]int{}
	count := func(j transport.Job, e transport.Enqueued, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err == nil && !e.Duplicate {
			added[j.ID]++
		}
	}
	var scheds []*memory.Scheduler
	for range 2 {
		s, err := memory.NewScheduler(memory.SchedulerConfig{Queue: q, Clock: clock, OnEnqueue: count, Schedule: []transport.Periodic{
			periodic("hourly", "0 * * * *", time.Hour), periodic("daily", "15 3 * * *", 24*time.Hour)}})
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	for range 30 {
		clock.Advance(time.Hour)
		var wg sync.WaitGroup
		for _, s := range scheds {
			wg.Go(func() {
				if _, err := s.Tick(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	if len(added) != 32 { // 30 hours and 2 days
		t.Errorf("%d distinct jobs enqueued, want 32", len(added))
	}
	for id, n := range added {
		if n != 1 {
			t.Errorf("job %s enqueued %d times", id, n)
		}
	}
}

func TestSchedulerStartTicksUntilShutdown(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2026, 3, 2, 0, 30, 0, 0, time.UTC))
	q := &idQueue{}
	s, err := memory.NewScheduler(memory.SchedulerConfig{Queue: q, Clock: clock, Poll: 5 * time.Millisecond,
		Schedule: []transport.Periodic{periodic("hourly", "0 * * * *", time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("second Start: %v, want EINVALID", err)
	}
	clock.Advance(time.Hour)
	var got []string
	for deadline := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		got = append(got, q.take()...)
	}
	if !slices.Equal(got, []string{"hourly:2026-03-02T01:00:00Z"}) {
		t.Errorf("started scheduler enqueued %v", got)
	}
	s.Shutdown()
	s.Shutdown()
	clock.Advance(time.Hour)
	time.Sleep(30 * time.Millisecond)
	if ids := q.take(); len(ids) != 0 {
		t.Errorf("enqueued %v after Shutdown", ids)
	}
	if err := s.Start(); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Start after Shutdown: %v, want EINVALID", err)
	}
}

func TestSchedulerRefusesABadCron(t *testing.T) {
	t.Parallel()
	_, err := memory.NewScheduler(memory.SchedulerConfig{Queue: &idQueue{}, Schedule: []transport.Periodic{periodic("bad", "every hour", time.Hour)}})
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("NewScheduler with cron %q: %v, want EINVALID", "every hour", err)
	}
	_, err = memory.NewScheduler(memory.SchedulerConfig{Queue: &idQueue{}, Schedule: []transport.Periodic{{Name: "nojob", Cron: "@hourly"}}})
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("NewScheduler without a Job: %v, want EINVALID", err)
	}
}

func newDeadLetters() storage.DeadLetters { return storagememory.New().DeadLetters() }
