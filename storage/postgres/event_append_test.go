package postgres

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// TestAppendOwnTxConcurrentIDsFollowCommitOrder has writers append, each call in a transaction
// of its own (the one-statement path), for one user at once, so that many calls land in the same
// millisecond and some must fall back to the stream lock. A reader polling Since its last seen id
// throughout ends with every appended event, in id order; each call's ids increase, no id is
// given twice and the stream's last id is the greatest.
func TestAppendOwnTxConcurrentIDsFollowCommitOrder(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDBWith(t, func(c *Config) { c.MaxConns = 8 })
	ctx := context.Background()
	u := newUser(t, db)

	var (
		mu       sync.Mutex
		appended []string
		wg       sync.WaitGroup
	)
	for w := range 8 {
		wg.Go(func() {
			for round := range 40 {
				evs := make([]coach.Event, 1+(w+round)%3)
				for i := range evs {
					evs[i] = coach.Event{UserID: u.ID, Type: coach.EventImportProgress, V: 1,
						Payload: json.RawMessage(`{"writer":` + itoa(w) + `,"round":` + itoa(round) + `}`)}
				}
				got, err := db.Events().Append(ctx, evs...)
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				for i := 1; i < len(got); i++ {
					if got[i].ID <= got[i-1].ID {
						t.Errorf("writer %d: ids of one call out of order: %s after %s", w, got[i].ID, got[i-1].ID)
					}
				}
				mu.Lock()
				for _, e := range got {
					appended = append(appended, e.ID)
				}
				mu.Unlock()
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	var seen []string
	last := ""
	poll := func() {
		for {
			evs, err := db.Events().Since(ctx, u.ID, last, 50)
			if err != nil {
				t.Fatalf("since %q: %v", last, err)
			}
			for _, e := range evs {
				seen = append(seen, e.ID)
				last = e.ID
			}
			if len(evs) < 50 {
				return
			}
		}
	}
	for polling := true; polling; {
		select {
		case <-done:
			polling = false
		default:
		}
		poll()
	}
	poll()

	want := slices.Clone(appended)
	slices.Sort(want)
	if len(slices.Compact(slices.Clone(want))) != len(want) {
		t.Fatal("an id was given twice")
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("events the reader saw, polling Since (-appended +seen):\n%s", diff)
	}
	var streamLast string
	must(t, db.Pool().QueryRow(ctx, `SELECT last_id FROM event_streams WHERE user_id = $1`, u.ID).Scan(&streamLast), "stream")
	if streamLast != want[len(want)-1] {
		t.Errorf("stream last id %s, want the greatest appended id %s", streamLast, want[len(want)-1])
	}
}

// TestAppendWithClockBehindStream moves the clock back after an append: the next appends, in a
// transaction of their own and inside InTx, still get ids after the stream's last one (the
// one-statement path writes nothing and the append falls back to the stream lock), and once the
// clock is ahead again ids follow it.
func TestAppendWithClockBehindStream(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 3, 10, 12, 0, 0, 0, time.UTC)
	clock := coach.NewManualClock(start)
	db := MustOpenTestDBWith(t, func(c *Config) { c.Clock = clock })
	ctx := context.Background()
	u := newUser(t, db)
	ev := coach.Event{UserID: u.ID, Type: coach.EventImportProgress, V: 1, Payload: json.RawMessage(`{}`)}

	var ids []string
	appendOne := func(inTx bool) {
		t.Helper()
		var got []coach.Event
		var err error
		if inTx {
			err = db.InTx(ctx, func(tx storage.Tx) error {
				got, err = tx.Events().Append(ctx, ev, ev)
				return err
			})
		} else {
			got, err = db.Events().Append(ctx, ev, ev)
		}
		must(t, err, "append")
		for _, e := range got {
			if len(ids) > 0 && e.ID <= ids[len(ids)-1] {
				t.Fatalf("id %s is not after %s", e.ID, ids[len(ids)-1])
			}
			ids = append(ids, e.ID)
		}
	}
	appendOne(false)
	appendOne(false) // the same millisecond
	clock.Set(start.Add(-time.Hour))
	appendOne(false)
	appendOne(true)
	clock.Set(start.Add(time.Hour))
	appendOne(false)
	appendOne(true)
	if at, _ := coach.EventIDTime(ids[len(ids)-1]); !at.Equal(start.Add(time.Hour)) {
		t.Errorf("the last id's time is %s, want the clock's %s", at, start.Add(time.Hour))
	}
	evs, err := db.Events().Since(ctx, u.ID, "", 100)
	must(t, err, "since")
	var got []string
	for _, e := range evs {
		got = append(got, e.ID)
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("stored events (-appended +stored):\n%s", diff)
	}
}
