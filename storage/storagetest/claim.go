package storagetest

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// runClaim checks Events.Claim and Release, the dispatcher's lease on users' undelivered events.
func runClaim(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("ClaimLeasesWholeUsersToOneOwner", func(t *testing.T) {
		f := setup(t, newStore)
		alice, bob := f.user(), f.user()
		a := f.appendEvents(alice.ID, 3)
		for time.Now().Before(a[2].TS.Add(2 * time.Millisecond)) { // bob's ids after alice's
			time.Sleep(time.Millisecond)
		}
		b := f.appendEvents(bob.ID, 1)

		got, err := f.s.Events().Claim(f.ctx, "one", 1, time.Hour)
		must(t, err, "Claim by one")
		diff(t, "one's claim of 1 (alice's oldest)", a[:1], got)
		got, err = f.s.Events().Claim(f.ctx, "two", 10, time.Hour)
		must(t, err, "Claim by two")
		diff(t, "two's claim (bob only: alice is leased to one)", b, got)
		got, err = f.s.Events().Claim(f.ctx, "three", 10, time.Hour)
		must(t, err, "Claim by three")
		diff(t, "three's claim (everyone is leased)", []coach.Event(nil), got)

		// Leased users still take appends, and their reads answer.
		a = append(a, f.appendEvents(alice.ID, 1)...)
		since, err := f.s.Events().Since(f.ctx, alice.ID, "", 10)
		must(t, err, "Since of a leased user")
		diff(t, "Since of a leased user", a, since)

		got, err = f.s.Events().Claim(f.ctx, "one", 10, time.Hour)
		must(t, err, "Claim by one again")
		diff(t, "one's claim again (its own lease is taken again)", a, got)
		at := microTime(time.Now())
		must(t, f.s.Events().Release(f.ctx, "one", []string{a[0].ID, a[1].ID}, at), "Release by one")
		got, err = f.s.Events().Claim(f.ctx, "three", 10, time.Hour)
		must(t, err, "Claim by three after one released")
		diff(t, "three's claim after one released (alice's rest; bob is two's)", a[2:], got)

		must(t, f.s.Events().Release(f.ctx, "two", nil, at), "Release by two, nothing delivered")
		must(t, f.s.Events().Release(f.ctx, "three", []string{a[2].ID, a[3].ID}, at), "Release by three")
		und, err := f.s.Events().Undelivered(f.ctx, 100)
		must(t, err, "Undelivered")
		diff(t, "undelivered at the end (bob's, released undelivered)", b, und)
		got, err = f.s.Events().Claim(f.ctx, "one", 10, time.Hour)
		must(t, err, "Claim by one at the end")
		diff(t, "one's claim at the end", b, got)
	})

	t.Run("ALeaseEndsByItself", func(t *testing.T) {
		// A dispatcher that dies holding a lease delays its users until the lease ends; then another
		// one takes them and publishes the events again (at least once).
		f := setup(t, newStore)
		u := f.user()
		evs := f.appendEvents(u.ID, 2)
		got, err := f.s.Events().Claim(f.ctx, "dead", 10, 50*time.Millisecond)
		must(t, err, "Claim by the dispatcher that dies")
		diff(t, "dead's claim", evs, got)
		eventually(t, "another owner takes the user once the lease has ended", func() bool {
			got, err = f.s.Events().Claim(f.ctx, "alive", 10, time.Hour)
			must(t, err, "Claim by alive")
			return len(got) > 0
		})
		diff(t, "alive's claim", evs, got)
		must(t, f.s.Events().Release(f.ctx, "dead", []string{evs[0].ID}, time.Now()), "a late Release by dead")
		got, err = f.s.Events().Claim(f.ctx, "other", 10, time.Hour)
		must(t, err, "Claim by other")
		diff(t, "other's claim (alive's lease was not ended by dead's Release)", []coach.Event(nil), got)
	})

	t.Run("ClaimRefusesBadArguments", func(t *testing.T) {
		f := setup(t, newStore)
		_, err := f.s.Events().Claim(f.ctx, "", 10, time.Hour)
		wantCode(t, err, coach.EINVALID, "Claim without an owner")
		_, err = f.s.Events().Claim(f.ctx, "one", 10, 0)
		wantCode(t, err, coach.EINVALID, "Claim with no lease")
		wantCode(t, f.s.Events().Release(f.ctx, "", nil, time.Now()), coach.EINVALID, "Release without an owner")
	})
}
