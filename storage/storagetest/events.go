package storagetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// appendEvents appends n events for userID in one call and returns them as stored.
func (f *fixture) appendEvents(userID string, n int) []coach.Event {
	f.t.Helper()
	in := make([]coach.Event, n)
	for i := range in {
		in[i] = event(userID, i)
	}
	out, err := f.s.Events().Append(f.ctx, in...)
	must(f.t, err, "Append")
	return out
}

// checkIncreasing fails the test unless the events' ids strictly increase and each TS is the
// time of its id.
func checkIncreasing(t *testing.T, what string, evs []coach.Event) {
	t.Helper()
	for i, e := range evs {
		ts, err := coach.EventIDTime(e.ID)
		if err != nil {
			t.Fatalf("%s: event %d: id %q: %v", what, i, e.ID, err)
		}
		if !e.TS.Equal(ts) {
			t.Errorf("%s: event %s: TS %s, want the id's time %s", what, e.ID, e.TS, ts)
		}
		if i > 0 && e.ID <= evs[i-1].ID {
			t.Fatalf("%s: event %d id %s does not sort after %s", what, i, e.ID, evs[i-1].ID)
		}
	}
}

func runEvents(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("AppendAssignsIncreasingIDsAndTS", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		before := time.Now().Add(-time.Second)
		first := f.appendEvents(u.ID, 3)
		second := f.appendEvents(u.ID, 2)
		all := append(first, second...)
		checkIncreasing(t, "appended", all)
		for i, e := range all {
			if e.UserID != u.ID || e.Type != coach.EventImportProgress || e.V != 1 || e.DeliveredAt != nil || e.TS.Before(before) {
				t.Errorf("event %d as stored: %+v", i, e)
			}
		}
		diff(t, "payloads", []json.RawMessage{json.RawMessage(`{"n":0}`), json.RawMessage(`{"n":1}`), json.RawMessage(`{"n":2}`), json.RawMessage(`{"n":0}`), json.RawMessage(`{"n":1}`)}, payloads(all))
		got, err := f.s.Events().Since(f.ctx, u.ID, "", 0)
		must(t, err, "Since")
		diff(t, "Since from the start", all, got)
		oldest, err := f.s.Events().Oldest(f.ctx, u.ID)
		must(t, err, "Oldest")
		if oldest != all[0].ID {
			t.Errorf("Oldest = %s, want %s", oldest, all[0].ID)
		}
		newest, err := f.s.Events().Newest(f.ctx, u.ID)
		must(t, err, "Newest")
		if newest != all[len(all)-1].ID {
			t.Errorf("Newest = %s, want %s", newest, all[len(all)-1].ID)
		}
		other := f.user()
		f.appendEvents(other.ID, 1)
		if newest, err = f.s.Events().Newest(f.ctx, u.ID); err != nil || newest != all[len(all)-1].ID {
			t.Errorf("Newest after another user's append = %s, %v; want %s (one user's only)", newest, err, all[len(all)-1].ID)
		}
	})

	t.Run("AppendRejectsInvalid", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		bad := event(u.ID, 1)
		bad.Payload = json.RawMessage(`[]`)
		_, err := f.s.Events().Append(f.ctx, event(u.ID, 0), bad)
		wantCode(t, err, coach.EINVALID, "Append with an array payload")
		_, err = f.s.Events().Append(f.ctx, event(u.ID, 0), event(other.ID, 1))
		wantCode(t, err, coach.EINVALID, "Append for two users")
		for _, id := range []string{u.ID, other.ID} {
			_, err := f.s.Events().Oldest(f.ctx, id)
			wantCode(t, err, coach.ENOTFOUND, "Oldest after rejected appends")
			_, err = f.s.Events().Newest(f.ctx, id)
			wantCode(t, err, coach.ENOTFOUND, "Newest after rejected appends")
		}
	})

	t.Run("SincePages", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		var all []coach.Event
		for range 5 {
			all = append(all, f.appendEvents(u.ID, 5)...)
		}
		var got []coach.Event
		after := ""
		for {
			page, err := f.s.Events().Since(f.ctx, u.ID, after, 7)
			must(t, err, "Since")
			if len(page) > 7 {
				t.Fatalf("page of %d events, limit 7", len(page))
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1].ID
		}
		diff(t, "paged replay", all, got)
		page, err := f.s.Events().Since(f.ctx, u.ID, all[9].ID, 3)
		must(t, err, "Since the 10th")
		diff(t, "Since the 10th", all[10:13], page)
		_, err = f.s.Events().Since(f.ctx, u.ID, "not-a-ulid", 10)
		wantCode(t, err, coach.EINVALID, "Since a malformed id")
	})

	t.Run("ConcurrentWritersNeverSkipped", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		const writers, perWriter = 8, 50
		rollback := errors.New("roll back on purpose")
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
						_, err := tx.Events().Append(f.ctx, coach.Event{UserID: u.ID, Type: coach.EventCoachReflect, V: 1,
							Payload: json.RawMessage(fmt.Sprintf(`{"writer":%d,"i":%d}`, w, i))})
						return err
					})
					if err != nil {
						t.Errorf("writer %d event %d: %v", w, i, err)
						return
					}
					if w == 0 && i%10 == 5 { // a few transactions that append and roll back
						err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
							if _, err := tx.Events().Append(f.ctx, coach.Event{UserID: u.ID, Type: coach.EventCoachReflect, V: 1,
								Payload: json.RawMessage(`{"rolledBack":true}`)}); err != nil {
								return err
							}
							return rollback
						})
						if !errors.Is(err, rollback) {
							t.Errorf("rolled-back transaction: %v, want the fn's error", err)
						}
					}
				}
			})
		}
		// The reader polls Since(last seen) while the writers commit in any order.
		var seen []coach.Event
		deadline := time.Now().Add(2 * time.Minute)
		for len(seen) < writers*perWriter && time.Now().Before(deadline) && !t.Failed() {
			after := ""
			if len(seen) > 0 {
				after = seen[len(seen)-1].ID
			}
			page, err := f.s.Events().Since(f.ctx, u.ID, after, 64)
			must(t, err, "Since")
			seen = append(seen, page...)
			if len(page) == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		wg.Wait()
		checkIncreasing(t, "seen by the reader", seen)
		got := map[string]bool{}
		for _, e := range seen {
			var p struct {
				Writer, I  int
				RolledBack bool
			}
			must(t, json.Unmarshal(e.Payload, &p), "payload")
			if p.RolledBack {
				t.Fatalf("the reader saw an event of a rolled-back transaction: %s", e.ID)
			}
			k := fmt.Sprintf("%d/%d", p.Writer, p.I)
			if got[k] {
				t.Fatalf("the reader saw event %s twice", k)
			}
			got[k] = true
		}
		if len(got) != writers*perWriter {
			t.Fatalf("the reader saw %d events, want %d", len(got), writers*perWriter)
		}
		all, err := f.s.Events().Since(f.ctx, u.ID, "", storage.MaxLimit)
		must(t, err, "Since after the writers")
		diff(t, "events after the writers", seen, all)
	})

	t.Run("UndeliveredAndMarkDelivered", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		a := f.appendEvents(u.ID, 3)
		b := f.appendEvents(other.ID, 2)
		c := f.appendEvents(u.ID, 1)
		all := append(append(append([]coach.Event(nil), a...), b...), c...)
		sortEvents(all)
		got, err := f.s.Events().Undelivered(f.ctx, 100)
		must(t, err, "Undelivered")
		diff(t, "Undelivered", all, got)
		got, err = f.s.Events().Undelivered(f.ctx, 2)
		must(t, err, "Undelivered 2")
		diff(t, "Undelivered limit 2", all[:2], got)

		at := microTime(time.Now())
		must(t, f.s.Events().MarkDelivered(f.ctx, []string{a[0].ID, b[1].ID, "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, at), "MarkDelivered")
		must(t, f.s.Events().MarkDelivered(f.ctx, []string{a[0].ID}, at.Add(time.Hour)), "MarkDelivered again")
		var rest []coach.Event
		for _, e := range all {
			if e.ID != a[0].ID && e.ID != b[1].ID {
				rest = append(rest, e)
			}
		}
		got, err = f.s.Events().Undelivered(f.ctx, 100)
		must(t, err, "Undelivered")
		diff(t, "Undelivered after MarkDelivered", rest, got)
		since, err := f.s.Events().Since(f.ctx, u.ID, "", 1)
		must(t, err, "Since")
		if len(since) != 1 || since[0].DeliveredAt == nil || !since[0].DeliveredAt.Equal(at) {
			t.Errorf("delivered event as replayed: %+v, want DeliveredAt %s (the first mark)", since, at)
		}
	})

	t.Run("PruneMovesTheHorizon", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		old := f.appendEvents(u.ID, 3)
		oldOther := f.appendEvents(other.ID, 1)
		cutoff := later(old[len(old)-1].TS, oldOther[0].TS).Add(time.Millisecond)
		for time.Now().Before(cutoff.Add(5 * time.Millisecond)) {
			time.Sleep(time.Millisecond)
		}
		kept := f.appendEvents(u.ID, 2)
		n, err := f.s.Events().Prune(f.ctx, time.Time{})
		must(t, err, "Prune(zero)")
		if n != 0 {
			t.Errorf("Prune(zero) = %d, want 0", n)
		}
		n, err = f.s.Events().Prune(f.ctx, cutoff)
		must(t, err, "Prune")
		if n != 4 {
			t.Errorf("Prune = %d, want 4", n)
		}
		_, err = f.s.Events().Since(f.ctx, u.ID, old[0].ID, 10)
		wantCode(t, err, coach.EGONE, "Since a pruned id")
		_, err = f.s.Events().Since(f.ctx, u.ID, old[2].ID, 10)
		wantCode(t, err, coach.EGONE, "Since the last pruned id")
		got, err := f.s.Events().Since(f.ctx, u.ID, "", 10)
		must(t, err, "Since the start")
		diff(t, "retained events", kept, got)
		got, err = f.s.Events().Since(f.ctx, u.ID, coach.EventIDAt(cutoff), 10)
		must(t, err, "Since the horizon")
		diff(t, "events since the horizon", kept, got)
		got, err = f.s.Events().Since(f.ctx, u.ID, kept[0].ID, 10)
		must(t, err, "Since a retained id")
		diff(t, "events since a retained id", kept[1:], got)
		oldest, err := f.s.Events().Oldest(f.ctx, u.ID)
		must(t, err, "Oldest")
		if oldest != kept[0].ID {
			t.Errorf("Oldest = %s, want %s", oldest, kept[0].ID)
		}
		_, err = f.s.Events().Oldest(f.ctx, other.ID)
		wantCode(t, err, coach.ENOTFOUND, "Oldest of a user whose events were all pruned")
		_, err = f.s.Events().Newest(f.ctx, other.ID)
		wantCode(t, err, coach.ENOTFOUND, "Newest of a user whose events were all pruned")
		newest, err := f.s.Events().Newest(f.ctx, u.ID)
		must(t, err, "Newest")
		if newest != kept[len(kept)-1].ID {
			t.Errorf("Newest after Prune = %s, want %s", newest, kept[len(kept)-1].ID)
		}
		und, err := f.s.Events().Undelivered(f.ctx, 100)
		must(t, err, "Undelivered")
		diff(t, "Undelivered after Prune", kept, und)
		next := f.appendEvents(u.ID, 1)
		if next[0].ID <= kept[1].ID {
			t.Errorf("id after Prune %s does not sort after %s", next[0].ID, kept[1].ID)
		}
	})

	t.Run("OtherUsersEventsAreInvisible", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		mine := f.appendEvents(u.ID, 2)
		got, err := f.s.Events().Since(f.ctx, other.ID, "", 0)
		must(t, err, "Since as another user")
		diff(t, "another user's replay", []coach.Event(nil), got)
		got, err = f.s.Events().Since(f.ctx, other.ID, mine[0].ID, 0)
		must(t, err, "Since another user's id")
		diff(t, "another user's replay after an id of mine", []coach.Event(nil), got)
		_, err = f.s.Events().Oldest(f.ctx, other.ID)
		wantCode(t, err, coach.ENOTFOUND, "Oldest as another user")
		theirs := f.appendEvents(other.ID, 1)
		got, err = f.s.Events().Since(f.ctx, u.ID, "", 0)
		must(t, err, "Since")
		diff(t, "own replay", mine, got)
		got, err = f.s.Events().Since(f.ctx, other.ID, "", 0)
		must(t, err, "Since as the other user")
		diff(t, "the other user's own replay", theirs, got)
	})
}

func payloads(evs []coach.Event) []json.RawMessage {
	var out []json.RawMessage
	for _, e := range evs {
		out = append(out, e.Payload)
	}
	return out
}

func sortEvents(evs []coach.Event) {
	for i := range evs {
		for j := i + 1; j < len(evs); j++ {
			if evs[j].ID < evs[i].ID {
				evs[i], evs[j] = evs[j], evs[i]
			}
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
