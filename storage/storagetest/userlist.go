package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// runUserListing checks Users.List (keyset paging in id order, filtered by time zone and
// creation time) and Users.TimeZones.
func runUserListing(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("PagesInIDOrder", func(t *testing.T) {
		f := setup(t, newStore)
		// Host-chosen ids whose byte order is not their creation order, and generated ones.
		var want []string
		for _, id := range []string{"zulu-" + randomKey(t), "alpha-" + randomKey(t), "Mike-" + randomKey(t), "4711" + randomKey(t), coach.NewID(), coach.NewID(), coach.NewID()} {
			must(t, f.s.Users().Create(f.ctx, coach.User{ID: id, CreatedAt: base}), "Create "+id)
			want = append(want, id)
		}
		slices.Sort(want)
		diff(t, "ids paged 3 at a time", want, userIDs(f.listUsers(storage.UserFilter{Limit: 3})))
		diff(t, "ids paged 1 at a time", want, userIDs(f.listUsers(storage.UserFilter{Limit: 1})))

		all, err := f.s.Users().List(f.ctx, storage.UserFilter{})
		must(t, err, "List with the default limit")
		diff(t, "one page with the default limit", want, userIDs(all))
		page, err := f.s.Users().List(f.ctx, storage.UserFilter{After: want[2], Limit: 2})
		must(t, err, "List after the third")
		diff(t, "the page after the third", want[3:5], userIDs(page))
		page, err = f.s.Users().List(f.ctx, storage.UserFilter{After: want[len(want)-1]})
		must(t, err, "List after the last")
		diff(t, "after the last", []string(nil), userIDs(page))

		// The users come back whole.
		u := coach.User{ID: coach.NewID(), Email: randomKey(t) + "@example.com", PasswordHash: "phc", CreatedAt: base,
			TimeZone: "America/New_York", ReportingCurrency: "EUR"}
		must(t, f.s.Users().Create(f.ctx, u), "Create a full user")
		page, err = f.s.Users().List(f.ctx, storage.UserFilter{TimeZones: []string{"America/New_York"}})
		must(t, err, "List New York")
		diff(t, "listed user", []coach.User{u}, page)
	})

	t.Run("FiltersByTimeZone", func(t *testing.T) {
		f := setup(t, newStore)
		mk := func(zone string) string {
			u := coach.User{ID: coach.NewID(), CreatedAt: base, TimeZone: zone}
			must(t, f.s.Users().Create(f.ctx, u), "Create in "+zone)
			return u.ID
		}
		ny1, ny2 := mk("America/New_York"), mk("America/New_York")
		kiri := mk("Pacific/Kiritimati")
		none := mk("")
		mk("Europe/Berlin")
		sorted := func(ids ...string) []string { slices.Sort(ids); return ids }

		for _, tc := range []struct {
			name  string
			zones []string
			want  []string
		}{
			{"New York and no zone", []string{"America/New_York", ""}, sorted(ny1, ny2, none)},
			{"a zone repeated", []string{"Pacific/Kiritimati", "Pacific/Kiritimati"}, []string{kiri}},
			{"a zone nobody has", []string{"Asia/Tokyo"}, nil},
			{"a name that is no zone", []string{"Mars/Olympus"}, nil},
			{"names no column holds", []string{"a\x00b", "\xff"}, nil},
			{"many zones", append(manyZones(40), "America/New_York", "Pacific/Kiritimati"), sorted(ny1, ny2, kiri)},
		} {
			for _, limit := range []int{0, 1} {
				got := userIDs(f.listUsers(storage.UserFilter{TimeZones: tc.zones, Limit: limit}))
				diff(t, fmt.Sprintf("%s, limit %d", tc.name, limit), tc.want, got)
			}
		}
	})

	t.Run("CreatedBefore", func(t *testing.T) {
		f := setup(t, newStore)
		var ids []string
		for i := range 3 {
			u := coach.User{ID: coach.NewID(), CreatedAt: base.Add(time.Duration(i) * time.Hour), TimeZone: "Asia/Kolkata"}
			must(t, f.s.Users().Create(f.ctx, u), "Create")
			ids = append(ids, u.ID)
		}
		for _, tc := range []struct {
			name   string
			before time.Time
			want   []string
		}{
			{"before the first", base, nil},
			{"strictly before the second", base.Add(time.Hour), ids[:1]},
			{"a microsecond later", base.Add(time.Hour + time.Microsecond), ids[:2]},
			{"after all", base.Add(24 * time.Hour), ids},
		} {
			slices.Sort(tc.want)
			got := userIDs(f.listUsers(storage.UserFilter{CreatedBefore: tc.before, Limit: 1}))
			diff(t, tc.name, tc.want, got)
			got = userIDs(f.listUsers(storage.UserFilter{CreatedBefore: tc.before, TimeZones: []string{"Asia/Kolkata"}}))
			diff(t, tc.name+", in the zone", tc.want, got)
		}
	})

	t.Run("BadAfterIsInvalid", func(t *testing.T) {
		f := setup(t, newStore)
		f.user()
		for _, after := range []string{"a b", "../x", "auth0|1", "\x00", string(make([]byte, 65))} {
			_, err := f.s.Users().List(f.ctx, storage.UserFilter{After: after})
			wantCode(t, err, coach.EINVALID, fmt.Sprintf("List after %q", after))
		}
	})

	t.Run("UsersPresentThroughoutAreListedOnce", func(t *testing.T) {
		// Users created and deleted between pages never make a user who was there all along
		// appear twice or not at all.
		f := setup(t, newStore)
		var stay []string
		for range 9 {
			u := coach.User{ID: coach.NewID(), CreatedAt: base, TimeZone: "America/New_York"}
			must(t, f.s.Users().Create(f.ctx, u), "Create")
			stay = append(stay, u.ID)
		}
		slices.Sort(stay)
		var listed []string
		filter := storage.UserFilter{TimeZones: []string{"America/New_York"}, Limit: 2}
		for page := 0; ; page++ {
			got, err := f.s.Users().List(f.ctx, filter)
			must(t, err, "List")
			for _, u := range got {
				listed = append(listed, u.ID)
			}
			if len(got) < 2 {
				break
			}
			filter.After = got[len(got)-1].ID
			// Meanwhile: a user with an id before the cursor, one after it, and one deleted.
			for _, id := range []string{"0000" + randomKey(t), "zzzz" + randomKey(t)} {
				must(t, f.s.Users().Create(f.ctx, coach.User{ID: id, CreatedAt: base, TimeZone: "America/New_York"}), "Create meanwhile")
				if page%2 == 1 {
					must(t, f.s.Users().Delete(f.ctx, id), "Delete meanwhile")
				}
			}
		}
		var fromStay []string
		for _, id := range listed {
			if slices.Contains(stay, id) {
				fromStay = append(fromStay, id)
			}
		}
		diff(t, "users present throughout, as listed", stay, fromStay)
	})

	t.Run("TimeZones", func(t *testing.T) {
		f := setup(t, newStore)
		zones := func(what string) []string {
			t.Helper()
			got, err := f.s.Users().TimeZones(f.ctx)
			must(t, err, "TimeZones "+what)
			return got
		}
		diff(t, "zones of an empty store", []string(nil), zones("empty"))
		var users []coach.User
		for _, z := range []string{"Pacific/Kiritimati", "America/New_York", "", "America/New_York", "Europe/Berlin", "America/Argentina/Buenos_Aires"} {
			u := coach.User{ID: coach.NewID(), CreatedAt: base, TimeZone: z}
			must(t, f.s.Users().Create(f.ctx, u), "Create in "+z)
			users = append(users, u)
		}
		diff(t, "zones in byte order", []string{"", "America/Argentina/Buenos_Aires", "America/New_York", "Europe/Berlin", "Pacific/Kiritimati"}, zones("after Create"))

		// Berlin's only user moves to Tokyo; one of two New York users leaves; the user without a
		// zone is deleted.
		moved := users[4]
		moved.TimeZone = "Asia/Tokyo"
		must(t, f.s.Users().Update(f.ctx, moved), "Update Berlin to Tokyo")
		must(t, f.s.Users().Delete(f.ctx, users[1].ID), "Delete a New York user")
		must(t, f.s.Users().Delete(f.ctx, users[2].ID), "Delete the user without a zone")
		diff(t, "zones after the changes", []string{"America/Argentina/Buenos_Aires", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"}, zones("after the changes"))
	})

	t.Run("SeesTheTransaction", func(t *testing.T) {
		f := setup(t, newStore)
		old := coach.User{ID: coach.NewID(), CreatedAt: base, TimeZone: "Europe/Berlin"}
		must(t, f.s.Users().Create(f.ctx, old), "Create")
		added := coach.User{ID: coach.NewID(), CreatedAt: base, TimeZone: "Asia/Tokyo"}
		errRollback := errors.New("roll back")
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if err := tx.Users().Create(f.ctx, added); err != nil {
				return err
			}
			got, err := tx.Users().List(f.ctx, storage.UserFilter{TimeZones: []string{"Asia/Tokyo"}})
			if err != nil {
				return err
			}
			diff(t, "List inside the transaction", []string{added.ID}, userIDs(got))
			zs, err := tx.Users().TimeZones(f.ctx)
			if err != nil {
				return err
			}
			diff(t, "TimeZones inside the transaction", []string{"Asia/Tokyo", "Europe/Berlin"}, zs)
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("InTx = %v, want fn's error", err)
		}
		diff(t, "List after the rollback", []string{old.ID}, userIDs(f.listUsers(storage.UserFilter{})))
		zs, err := f.s.Users().TimeZones(f.ctx)
		must(t, err, "TimeZones after the rollback")
		diff(t, "TimeZones after the rollback", []string{"Europe/Berlin"}, zs)
	})
}

// listUsers returns every user matching filter, paging with After, and checks that each page
// but the last is full and that the ids ascend.
func (f *fixture) listUsers(filter storage.UserFilter) []coach.User {
	f.t.Helper()
	var all []coach.User
	for {
		page, err := f.s.Users().List(f.ctx, filter)
		must(f.t, err, "List users")
		for _, u := range page {
			if u.ID <= filter.After || (len(all) > 0 && u.ID <= all[len(all)-1].ID) {
				f.t.Fatalf("List after %q returned %q out of id order", filter.After, u.ID)
			}
			all = append(all, u)
		}
		if len(page) < storage.Clamp(filter.Limit) {
			return all
		}
		filter.After = page[len(page)-1].ID
	}
}

// userIDs returns the ids of users, in their order.
func userIDs(users []coach.User) []string {
	var ids []string
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	return ids
}

// manyZones returns n zone names that no user has.
func manyZones(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Nowhere/Zone_%d", i)
	}
	return out
}
