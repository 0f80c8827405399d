package asynq

import (
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	storagememory "github.com/tradecoach/coach/storage/memory"
)

// Each firing registers the job of the next one: the weekly digest of the week that has just
// ended, so a firing's id changes exactly when the week does.
func TestSchedulerRegistersTheNextFiringsJob(t *testing.T) {
	t.Parallel()
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1"}) // never dialled: nothing starts
	t.Cleanup(func() { client.Close() })
	q, err := New(client, Config{DeadLetters: storagememory.New().DeadLetters()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := q.NewScheduler(SchedulerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now  string
		want string
	}{
		{"2026-01-28T10:00:00Z", "digest.weekly:2026-W05"},      // fires Mon 2 Feb for W05
		{"2026-02-01T23:59:59Z", "digest.weekly:2026-W05"},      // the last second before it
		{"2026-02-02T00:00:00.5Z", "digest.weekly:2026-W06"},    // just after the firing
		{"2020-12-30T12:00:00Z", "digest.weekly:2020-W53"},      // a 53-week year
		{"2021-01-04T00:00:01Z", "digest.weekly:2021-W01"},      // the next one
		{"2026-03-29T01:30:00+01:00", "digest.weekly:2026-W13"}, // any zone in, UTC schedule
	} {
		now, err := time.Parse(time.RFC3339Nano, tc.now)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.registerLocked(now); err != nil {
			t.Fatalf("registerLocked(%s): %v", tc.now, err)
		}
		if s.job.ID != tc.want {
			t.Errorf("after %s the registered job is %s, want %s", tc.now, s.job.ID, tc.want)
		}
	}
}
