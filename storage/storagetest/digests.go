package storagetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

func runDigests(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("PutUpsertsByPeriodStartKeepingID", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		d := digest(u.ID, day(0), `{"fomo":1}`)
		got, err := f.s.Digests().Put(f.ctx, d)
		must(t, err, "Put")
		diff(t, "Put new", d, got)
		delivered := microTime(base.Add(time.Hour))
		must(t, f.s.Digests().MarkDelivered(f.ctx, u.ID, d.ID, delivered), "MarkDelivered")

		again := digest(u.ID, day(0), `{"fomo":2,"panic":1}`)
		again.CreatedAt = base.Add(24 * time.Hour)
		got, err = f.s.Digests().Put(f.ctx, again)
		must(t, err, "Put again")
		want := d
		want.Payload, want.DeliveredAt = again.Payload, &delivered
		diff(t, "Put for the same week", want, got)
		stored, err := f.s.Digests().Get(f.ctx, u.ID, d.ID)
		must(t, err, "Get")
		diff(t, "Get", want, stored)
		_, err = f.s.Digests().Get(f.ctx, u.ID, again.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get by the id of the replacing Put")
		list, err := f.s.Digests().List(f.ctx, u.ID, 0)
		must(t, err, "List")
		if len(list) != 1 {
			t.Errorf("List has %d digests, want 1", len(list))
		}
	})

	t.Run("LatestAndListOrder", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		_, err := f.s.Digests().Latest(f.ctx, u.ID)
		wantCode(t, err, coach.ENOTFOUND, "Latest without digests")
		w0, w2, w1 := digest(u.ID, day(0), `{"w":0}`), digest(u.ID, day(14), `{"w":2}`), digest(u.ID, day(7), `{"w":1}`)
		for _, d := range []coach.Digest{w0, w2, w1} {
			_, err := f.s.Digests().Put(f.ctx, d)
			must(t, err, "Put")
		}
		latest, err := f.s.Digests().Latest(f.ctx, u.ID)
		must(t, err, "Latest")
		diff(t, "Latest", w2, latest)
		list, err := f.s.Digests().List(f.ctx, u.ID, 0)
		must(t, err, "List")
		diff(t, "List latest first", []coach.Digest{w2, w1, w0}, list)
		list, err = f.s.Digests().List(f.ctx, u.ID, 2)
		must(t, err, "List 2")
		diff(t, "List limit 2", []coach.Digest{w2, w1}, list)
	})

	t.Run("MarkDelivered", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		d := digest(u.ID, day(0), `{}`)
		_, err := f.s.Digests().Put(f.ctx, d)
		must(t, err, "Put")
		at := microTime(base.Add(time.Minute))
		wantCode(t, f.s.Digests().MarkDelivered(f.ctx, other.ID, d.ID, at), coach.ENOTFOUND, "MarkDelivered as another user")
		wantCode(t, f.s.Digests().MarkDelivered(f.ctx, u.ID, coach.NewID(), at), coach.ENOTFOUND, "MarkDelivered unknown")
		got, err := f.s.Digests().Get(f.ctx, u.ID, d.ID)
		must(t, err, "Get")
		if got.DeliveredAt != nil {
			t.Errorf("DeliveredAt = %v after rejected marks, want nil", got.DeliveredAt)
		}
		must(t, f.s.Digests().MarkDelivered(f.ctx, u.ID, d.ID, at), "MarkDelivered")
		got, err = f.s.Digests().Get(f.ctx, u.ID, d.ID)
		must(t, err, "Get")
		want := d
		want.DeliveredAt = &at
		diff(t, "delivered digest", want, got)
	})

	t.Run("DeleteEndedBefore", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		old, mid, cur := digest(u.ID, day(0), `{}`), digest(other.ID, day(7), `{}`), digest(u.ID, day(14), `{}`)
		for _, d := range []coach.Digest{old, mid, cur} {
			_, err := f.s.Digests().Put(f.ctx, d)
			must(t, err, "Put")
		}
		// mid ends on day(13): "before day(13)" keeps it, "before day(14)" drops it.
		n, err := f.s.Digests().DeleteEndedBefore(f.ctx, day(13))
		must(t, err, "DeleteEndedBefore")
		if n != 1 {
			t.Errorf("DeleteEndedBefore(day 13) = %d, want 1", n)
		}
		_, err = f.s.Digests().Get(f.ctx, u.ID, old.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get deleted")
		n, err = f.s.Digests().DeleteEndedBefore(f.ctx, day(14))
		must(t, err, "DeleteEndedBefore")
		if n != 1 {
			t.Errorf("DeleteEndedBefore(day 14) = %d, want 1", n)
		}
		list, err := f.s.Digests().List(f.ctx, u.ID, 0)
		must(t, err, "List")
		diff(t, "remaining digests", []coach.Digest{cur}, list)
	})

	t.Run("EndedBeforePagesEveryUserByID", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		var old []coach.Digest
		for i := range 5 {
			userID := u.ID
			if i%2 == 1 {
				userID = other.ID
			}
			old = append(old, digest(userID, day(7*i), fmt.Sprintf(`{"w":%d}`, i)))
		}
		recent := digest(u.ID, day(70), `{"recent":true}`)
		for _, d := range append(slices.Clone(old), recent) {
			_, err := f.s.Digests().Put(f.ctx, d)
			must(t, err, "Put")
		}
		slices.SortFunc(old, func(a, b coach.Digest) int { return strings.Compare(a.ID, b.ID) })
		var got []coach.Digest
		for after := ""; ; {
			page, err := f.s.Digests().EndedBefore(f.ctx, day(70), after, 2)
			must(t, err, "EndedBefore")
			if len(page) > 2 {
				t.Fatalf("EndedBefore limit 2 returned %d digests", len(page))
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1].ID
		}
		diff(t, "EndedBefore(day 70), every page", old, got)
		// The last old digest ends on day(34): "before day(34)" leaves it out.
		page, err := f.s.Digests().EndedBefore(f.ctx, day(34), "", 0)
		must(t, err, "EndedBefore day 34")
		if len(page) != 4 || slices.ContainsFunc(page, func(d coach.Digest) bool { return d.PeriodStart == day(28) }) {
			t.Errorf("EndedBefore(day 34) = %d digests, want the 4 that ended before it", len(page))
		}
		page, err = f.s.Digests().EndedBefore(f.ctx, coach.Date{}, "", 0)
		must(t, err, "EndedBefore a zero day")
		if len(page) != 0 {
			t.Errorf("EndedBefore(zero day) = %d digests, want none", len(page))
		}
	})

	t.Run("DeleteArchivedOnlyAsRead", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		d, keep := digest(u.ID, day(0), `{"fomo": 1}`), digest(u.ID, day(7), `{}`)
		for _, g := range []coach.Digest{d, keep} {
			_, err := f.s.Digests().Put(f.ctx, g)
			must(t, err, "Put")
		}
		read, err := f.s.Digests().Get(f.ctx, u.ID, d.ID)
		must(t, err, "Get")
		asOther := read
		asOther.UserID = other.ID
		wantCode(t, f.s.Digests().DeleteArchived(f.ctx, asOther), coach.ENOTFOUND, "DeleteArchived as another user")

		// Delivered since it was read: not the version archived.
		at := microTime(base.Add(time.Hour))
		must(t, f.s.Digests().MarkDelivered(f.ctx, u.ID, d.ID, at), "MarkDelivered")
		wantCode(t, f.s.Digests().DeleteArchived(f.ctx, read), coach.ECONFLICT, "DeleteArchived of a digest delivered since")
		read, err = f.s.Digests().Get(f.ctx, u.ID, d.ID)
		must(t, err, "Get after ECONFLICT")
		// Rebuilt since it was read.
		rebuilt := d
		rebuilt.Payload = json.RawMessage(`{"fomo":2}`)
		_, err = f.s.Digests().Put(f.ctx, rebuilt)
		must(t, err, "Put again")
		wantCode(t, f.s.Digests().DeleteArchived(f.ctx, read), coach.ECONFLICT, "DeleteArchived of a digest rebuilt since")

		read, err = f.s.Digests().Get(f.ctx, u.ID, d.ID)
		must(t, err, "Get")
		must(t, f.s.Digests().DeleteArchived(f.ctx, read), "DeleteArchived")
		wantCode(t, f.s.Digests().DeleteArchived(f.ctx, read), coach.ENOTFOUND, "DeleteArchived again")
		list, err := f.s.Digests().List(f.ctx, u.ID, 0)
		must(t, err, "List")
		diff(t, "digests after DeleteArchived", []coach.Digest{keep}, list)
		// The week is free again: a new digest for it is stored under its own id.
		again := digest(u.ID, day(0), `{"again":true}`)
		got, err := f.s.Digests().Put(f.ctx, again)
		must(t, err, "Put the deleted week again")
		diff(t, "Put after DeleteArchived", again, got)
	})

	t.Run("OtherUsersDigestIsNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		d := digest(u.ID, day(0), `{}`)
		_, err := f.s.Digests().Put(f.ctx, d)
		must(t, err, "Put")
		_, err = f.s.Digests().Get(f.ctx, other.ID, d.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get as another user")
		_, err = f.s.Digests().Latest(f.ctx, other.ID)
		wantCode(t, err, coach.ENOTFOUND, "Latest as another user")
		list, err := f.s.Digests().List(f.ctx, other.ID, 0)
		must(t, err, "List as another user")
		diff(t, "another user's digests", []coach.Digest(nil), list)
		// The other user's digest for the same week is their own.
		od := digest(other.ID, day(0), `{"mine":true}`)
		got, err := f.s.Digests().Put(f.ctx, od)
		must(t, err, "Put as the other user")
		diff(t, "other user's digest", od, got)
	})

	t.Run("PutRejectsInvalid", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		d := digest(u.ID, day(7), `{}`)
		d.PeriodEnd = day(6)
		_, err := f.s.Digests().Put(f.ctx, d)
		wantCode(t, err, coach.EINVALID, "Put ending before it starts")
		d = digest(u.ID, day(7), `{}`)
		d.Payload = json.RawMessage(`"text"`)
		_, err = f.s.Digests().Put(f.ctx, d)
		wantCode(t, err, coach.EINVALID, "Put with a string payload")
	})
}
