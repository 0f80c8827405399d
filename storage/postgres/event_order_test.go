package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// TestEventsNotMissedUnderConcurrentCommits is the outbox's ordering proof, in the spirit of
// watermill's TestNotMissingMessages: several transactions append events for one user at once,
// hold their transaction open for a random while and commit in whatever order the stream lock
// gives them; one of them rolls back. A reader that polls Since(its last seen id) the whole time
// must end with every committed event, in id order, and none of the rolled-back one.
func TestEventsNotMissedUnderConcurrentCommits(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDBWith(t, func(c *Config) { c.MaxConns = 8 })
	ctx := context.Background()
	u := newUser(t, db)

	const writers = 12
	const rollbackWriter = 5
	errRollback := errors.New("roll back on purpose")

	var (
		mu        sync.Mutex
		committed []string
		rolled    []string
		wg        sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for round := range 3 {
				time.Sleep(time.Duration(rng.IntN(5)) * time.Millisecond)
				var got []coach.Event
				err := db.InTx(ctx, func(tx storage.Tx) error {
					n := 1 + rng.IntN(3)
					evs := make([]coach.Event, n)
					for i := range evs {
						evs[i] = coach.Event{UserID: u.ID, Type: coach.EventImportProgress, V: 1,
							Payload: json.RawMessage(`{"writer":` + itoa(w) + `,"round":` + itoa(round) + `}`)}
					}
					var err error
					if got, err = tx.Events().Append(ctx, evs...); err != nil {
						return err
					}
					// Hold the transaction (and the stream lock) open for a while, so that others
					// queue behind it and the reader polls meanwhile.
					time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond)
					if w == rollbackWriter && round == 1 {
						return errRollback
					}
					return nil
				})
				mu.Lock()
				switch {
				case err == nil:
					for _, e := range got {
						committed = append(committed, e.ID)
					}
				case errors.Is(err, errRollback):
					for _, e := range got {
						rolled = append(rolled, e.ID)
					}
				default:
					t.Errorf("writer %d: %v", w, err)
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
			evs, err := db.Events().Since(ctx, u.ID, last, 7) // a small page: replay is paged
			if err != nil {
				t.Fatalf("since %q: %v", last, err)
			}
			for _, e := range evs {
				if e.ID <= last {
					t.Fatalf("since %q returned %s, not after it", last, e.ID)
				}
				seen = append(seen, e.ID)
				last = e.ID
			}
			if len(evs) < 7 {
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

	if len(rolled) == 0 {
		t.Fatal("the rolled-back transaction appended nothing; the test proves nothing")
	}
	want := append([]string(nil), committed...)
	sortStrings(want)
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("events the reader saw, polling Since (-committed +seen):\n%s", diff)
	}
	for _, id := range rolled {
		for _, s := range seen {
			if s == id {
				t.Errorf("the reader saw %s of the rolled-back transaction", id)
			}
		}
	}
	// The commit order is the id order: every committed id is unique and the stream's last id is
	// the greatest.
	var streamLast string
	must(t, db.Pool().QueryRow(ctx, `SELECT last_id FROM event_streams WHERE user_id = $1`, u.ID).Scan(&streamLast), "stream")
	if streamLast != want[len(want)-1] {
		t.Errorf("stream last id %s, want the greatest committed id %s", streamLast, want[len(want)-1])
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
