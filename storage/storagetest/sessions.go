package storagetest

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// session returns a valid session of userID created at created, lasting a day, not yet stored.
func session(userID string, created time.Time) coach.Session {
	return coach.Session{
		ID:        coach.NewID(),
		UserID:    userID,
		CreatedAt: microTime(created),
		ExpiresAt: microTime(created.Add(24 * time.Hour)),
		IPHash:    "iphash-" + coach.NewID(),
		UAHash:    "uahash",
		TokenHash: "tok-" + coach.NewID(),
	}
}

func runSessions(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("CreateThenByTokenHash", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		s := session(u.ID, base)
		must(t, f.s.Sessions().Create(f.ctx, s), "Create")
		got, err := f.s.Sessions().ByTokenHash(f.ctx, s.TokenHash)
		must(t, err, "ByTokenHash")
		diff(t, "ByTokenHash", s, got)
		_, err = f.s.Sessions().ByTokenHash(f.ctx, "tok-unknown")
		wantCode(t, err, coach.ENOTFOUND, "ByTokenHash unknown")
	})

	t.Run("ExpiredSessionIsStillFound", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		s := session(u.ID, base.AddDate(0, 0, -30))
		must(t, f.s.Sessions().Create(f.ctx, s), "Create")
		got, err := f.s.Sessions().ByTokenHash(f.ctx, s.TokenHash)
		must(t, err, "ByTokenHash")
		if !got.Expired(base) {
			t.Errorf("session %+v not expired at %s", got, base)
		}
	})

	t.Run("TouchSlidesExpiry", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		s := session(u.ID, base)
		must(t, f.s.Sessions().Create(f.ctx, s), "Create")
		later := microTime(base.Add(72 * time.Hour))
		must(t, f.s.Sessions().Touch(f.ctx, u.ID, s.ID, later), "Touch")
		got, err := f.s.Sessions().ByTokenHash(f.ctx, s.TokenHash)
		must(t, err, "ByTokenHash")
		if !got.ExpiresAt.Equal(later) {
			t.Errorf("expiresAt %s after Touch, want %s", got.ExpiresAt, later)
		}
		wantCode(t, f.s.Sessions().Touch(f.ctx, other.ID, s.ID, later), coach.ENOTFOUND, "Touch another user's session")
		wantCode(t, f.s.Sessions().Touch(f.ctx, u.ID, coach.NewID(), later), coach.ENOTFOUND, "Touch an unknown session")
		wantCode(t, f.s.Sessions().Touch(f.ctx, u.ID, s.ID, base.Add(-time.Hour)), coach.EINVALID, "Touch before createdAt")
	})

	t.Run("TokenHashIsUnique", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		s := session(u.ID, base)
		must(t, f.s.Sessions().Create(f.ctx, s), "Create")
		dup := session(u.ID, base)
		dup.TokenHash = s.TokenHash
		wantCode(t, f.s.Sessions().Create(f.ctx, dup), coach.ECONFLICT, "Create with a taken token hash")
	})

	t.Run("CreateRejectsInvalid", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		s := session(u.ID, base)
		s.ExpiresAt = s.CreatedAt
		wantCode(t, f.s.Sessions().Create(f.ctx, s), coach.EINVALID, "Create expiring at creation")
		_, err := f.s.Sessions().ByTokenHash(f.ctx, s.TokenHash)
		wantCode(t, err, coach.ENOTFOUND, "ByTokenHash of the rejected session")
	})

	t.Run("ListNewestFirst", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		s1, s2, s3 := session(u.ID, base), session(u.ID, base.Add(2*time.Hour)), session(u.ID, base.Add(time.Hour))
		for _, s := range []coach.Session{s1, s2, s3, session(other.ID, base)} {
			must(t, f.s.Sessions().Create(f.ctx, s), "Create")
		}
		got, err := f.s.Sessions().List(f.ctx, u.ID)
		must(t, err, "List")
		diff(t, "List", []coach.Session{s2, s3, s1}, got)
	})

	t.Run("Delete", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		s, keep := session(u.ID, base), session(u.ID, base)
		must(t, f.s.Sessions().Create(f.ctx, s), "Create")
		must(t, f.s.Sessions().Create(f.ctx, keep), "Create")
		wantCode(t, f.s.Sessions().Delete(f.ctx, other.ID, s.ID), coach.ENOTFOUND, "Delete another user's session")
		must(t, f.s.Sessions().Delete(f.ctx, u.ID, s.ID), "Delete")
		_, err := f.s.Sessions().ByTokenHash(f.ctx, s.TokenHash)
		wantCode(t, err, coach.ENOTFOUND, "ByTokenHash deleted")
		wantCode(t, f.s.Sessions().Delete(f.ctx, u.ID, s.ID), coach.ENOTFOUND, "Delete again")
		got, err := f.s.Sessions().List(f.ctx, u.ID)
		must(t, err, "List")
		diff(t, "remaining sessions", []coach.Session{keep}, got)
	})

	t.Run("DeleteAll", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		for _, s := range []coach.Session{session(u.ID, base), session(u.ID, base), session(u.ID, base)} {
			must(t, f.s.Sessions().Create(f.ctx, s), "Create")
		}
		keep := session(other.ID, base)
		must(t, f.s.Sessions().Create(f.ctx, keep), "Create")
		n, err := f.s.Sessions().DeleteAll(f.ctx, u.ID)
		must(t, err, "DeleteAll")
		if n != 3 {
			t.Errorf("DeleteAll = %d, want 3", n)
		}
		got, err := f.s.Sessions().List(f.ctx, u.ID)
		must(t, err, "List")
		diff(t, "sessions after DeleteAll", []coach.Session(nil), got)
		got, err = f.s.Sessions().List(f.ctx, other.ID)
		must(t, err, "List other")
		diff(t, "other user's sessions", []coach.Session{keep}, got)
		n, err = f.s.Sessions().DeleteAll(f.ctx, u.ID)
		must(t, err, "DeleteAll again")
		if n != 0 {
			t.Errorf("DeleteAll again = %d, want 0", n)
		}
	})

	t.Run("DeleteExpired", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		now := base.Add(48 * time.Hour)
		expired := session(u.ID, base)                     // expired a day before now
		atNow := session(other.ID, now.Add(-24*time.Hour)) // expires exactly at now
		live := session(u.ID, now.Add(-time.Hour))
		for _, s := range []coach.Session{expired, atNow, live} {
			must(t, f.s.Sessions().Create(f.ctx, s), "Create")
		}
		n, err := f.s.Sessions().DeleteExpired(f.ctx, now)
		must(t, err, "DeleteExpired")
		if n != 2 {
			t.Errorf("DeleteExpired = %d, want 2", n)
		}
		for _, s := range []coach.Session{expired, atNow} {
			_, err := f.s.Sessions().ByTokenHash(f.ctx, s.TokenHash)
			wantCode(t, err, coach.ENOTFOUND, "ByTokenHash of an expired session")
		}
		_, err = f.s.Sessions().ByTokenHash(f.ctx, live.TokenHash)
		must(t, err, "ByTokenHash of the live session")
	})
}
