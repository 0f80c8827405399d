package storagetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// export returns a valid queued export of userID requested at at, not yet stored.
func export(userID string, at time.Time) coach.Export {
	return coach.Export{ID: coach.NewID(), UserID: userID, Status: coach.ExportQueued, RequestedAt: microTime(at)}
}

// exportDone and exportFailed are valid outcomes at at, expiring a day later.
func exportDone(at time.Time) storage.ExportOutcome {
	return storage.ExportOutcome{Status: coach.ExportDone, Size: 4096, At: microTime(at), ExpiresAt: microTime(at.Add(24 * time.Hour)),
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
}

func exportFailed(at time.Time) storage.ExportOutcome {
	return storage.ExportOutcome{Status: coach.ExportFailed, At: microTime(at), ExpiresAt: microTime(at.Add(24 * time.Hour)),
		Error: &coach.ErrorPayload{Code: string(coach.EUNAVAILABLE), Message: "the blob store did not answer"}}
}

// createExport stores e and returns it as stored.
func (f *fixture) createExport(e coach.Export) coach.Export {
	f.t.Helper()
	got, err := f.s.Exports().Create(f.ctx, e)
	must(f.t, err, "create export")
	return got
}

func runExports(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("CreateGetList", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		e1 := f.createExport(export(u.ID, base))
		e2 := f.createExport(export(u.ID, base.Add(time.Hour)))
		got, err := f.s.Exports().Get(f.ctx, u.ID, e1.ID)
		must(t, err, "Get")
		diff(t, "Get", e1, got)
		list, err := f.s.Exports().List(f.ctx, u.ID, 0)
		must(t, err, "List")
		diff(t, "List newest first", []coach.Export{e2, e1}, list)
		list, err = f.s.Exports().List(f.ctx, u.ID, 1)
		must(t, err, "List 1")
		diff(t, "List limit 1", []coach.Export{e2}, list)

		// A zero RequestedAt is the store's clock.
		before := time.Now().Add(-time.Minute)
		e3 := export(u.ID, base)
		e3.RequestedAt = time.Time{}
		got = f.createExport(e3)
		if got.RequestedAt.Before(before) || got.RequestedAt.Location() != time.UTC {
			t.Errorf("RequestedAt = %v, want the store's clock, in UTC", got.RequestedAt)
		}
	})

	t.Run("CreateRejects", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		e := f.createExport(export(u.ID, base))
		dup := export(other.ID, base)
		dup.ID = e.ID
		_, err := f.s.Exports().Create(f.ctx, dup)
		wantCode(t, err, coach.ECONFLICT, "Create with another user's export id")
		_, err = f.s.Exports().Create(f.ctx, export(coach.NewID(), base))
		wantCode(t, err, coach.ENOTFOUND, "Create for an unknown user")
		running := export(u.ID, base)
		running.Status, running.StartedAt = coach.ExportRunning, &running.RequestedAt
		_, err = f.s.Exports().Create(f.ctx, running)
		wantCode(t, err, coach.EINVALID, "Create running")
		bad := export(u.ID, base)
		bad.ID = "not an id!"
		_, err = f.s.Exports().Create(f.ctx, bad)
		wantCode(t, err, coach.EINVALID, "Create with a bad id")
	})

	t.Run("Lifecycle", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		e := f.createExport(export(u.ID, base))
		_, _, err := f.s.Exports().Finish(f.ctx, u.ID, e.ID, exportDone(base.Add(time.Minute)))
		wantCode(t, err, coach.ECONFLICT, "Finish a queued export")

		// Start raises a time before RequestedAt to it, and is idempotent.
		started, err := f.s.Exports().Start(f.ctx, u.ID, e.ID, base.Add(-time.Hour))
		must(t, err, "Start")
		if started.Status != coach.ExportRunning || started.StartedAt == nil || !started.StartedAt.Equal(e.RequestedAt) {
			t.Fatalf("Start = %+v, want running since RequestedAt", started)
		}
		again, err := f.s.Exports().Start(f.ctx, u.ID, e.ID, base.Add(time.Hour))
		must(t, err, "Start again")
		diff(t, "Start again", started, again)

		o := exportDone(base.Add(time.Minute))
		ended, changed, err := f.s.Exports().Finish(f.ctx, u.ID, e.ID, o)
		must(t, err, "Finish")
		want := started
		want.Status, want.Size, want.SHA256, want.FinishedAt, want.ExpiresAt = coach.ExportDone, o.Size, o.SHA256, &o.At, &o.ExpiresAt
		if !changed {
			t.Error("Finish: changed false, want true")
		}
		diff(t, "Finish", want, ended)
		stored, err := f.s.Exports().Get(f.ctx, u.ID, e.ID)
		must(t, err, "Get")
		diff(t, "Get after Finish", want, stored)

		// Finishing again the same way changes nothing; the other way is a conflict.
		again2, changed, err := f.s.Exports().Finish(f.ctx, u.ID, e.ID, exportDone(base.Add(2*time.Hour)))
		must(t, err, "Finish again")
		if changed {
			t.Error("Finish again: changed true, want false")
		}
		diff(t, "Finish again keeps the first outcome", want, again2)
		_, _, err = f.s.Exports().Finish(f.ctx, u.ID, e.ID, exportFailed(base.Add(2*time.Hour)))
		wantCode(t, err, coach.ECONFLICT, "Finish failed after done")
		_, err = f.s.Exports().Start(f.ctx, u.ID, e.ID, base)
		wantCode(t, err, coach.ECONFLICT, "Start an ended export")

		// A failed export keeps its error.
		e2 := f.createExport(export(u.ID, base))
		_, err = f.s.Exports().Start(f.ctx, u.ID, e2.ID, base)
		must(t, err, "Start e2")
		fo := exportFailed(base.Add(time.Minute))
		failedExp, _, err := f.s.Exports().Finish(f.ctx, u.ID, e2.ID, fo)
		must(t, err, "Finish failed")
		diff(t, "failed export's error", fo.Error, failedExp.Error)
		if failedExp.SHA256 != "" || failedExp.Size != 0 {
			t.Errorf("failed export has an archive: %+v", failedExp)
		}
		_, _, err = f.s.Exports().Finish(f.ctx, u.ID, e2.ID, storage.ExportOutcome{Status: coach.ExportDone, At: base})
		wantCode(t, err, coach.EINVALID, "Finish with an invalid outcome")
	})

	t.Run("ConcurrentFinishChangesOnce", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		e := f.createExport(export(u.ID, base))
		_, err := f.s.Exports().Start(f.ctx, u.ID, e.ID, base)
		must(t, err, "Start")
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			changes int
			errs    []error
		)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, changed, err := f.s.Exports().Finish(f.ctx, u.ID, e.ID, exportDone(base.Add(time.Minute)))
				mu.Lock()
				defer mu.Unlock()
				if changed {
					changes++
				}
				if err != nil && coach.ErrorCode(err) != coach.ERETRYABLE {
					errs = append(errs, err)
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil || changes != 1 {
			t.Fatalf("4 concurrent Finishes: %d changed (want 1), errors %v", changes, err)
		}
	})

	t.Run("ExpiredAndDelete", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		finish := func(userID string, o storage.ExportOutcome) coach.Export {
			e := f.createExport(export(userID, base))
			_, err := f.s.Exports().Start(f.ctx, userID, e.ID, base)
			must(t, err, "Start")
			got, _, err := f.s.Exports().Finish(f.ctx, userID, e.ID, o)
			must(t, err, "Finish")
			return got
		}
		early := finish(u.ID, exportDone(base))                       // expires base+24h
		late := finish(other.ID, exportFailed(base.Add(2*time.Hour))) // expires base+26h
		f.createExport(export(u.ID, base))                            // queued: never expires
		got, err := f.s.Exports().Expired(f.ctx, base.Add(23*time.Hour), 0)
		must(t, err, "Expired before any")
		diff(t, "Expired before any", []coach.Export(nil), got)
		got, err = f.s.Exports().Expired(f.ctx, base.Add(24*time.Hour), 0)
		must(t, err, "Expired at the first expiry")
		diff(t, "Expired at the first expiry", []coach.Export{early}, got)
		got, err = f.s.Exports().Expired(f.ctx, base.Add(30*time.Hour), 0)
		must(t, err, "Expired of every user")
		diff(t, "Expired of every user, earliest first", []coach.Export{early, late}, got)
		got, err = f.s.Exports().Expired(f.ctx, base.Add(30*time.Hour), 1)
		must(t, err, "Expired limit 1")
		diff(t, "Expired limit 1", []coach.Export{early}, got)

		wantCode(t, f.s.Exports().Delete(f.ctx, other.ID, early.ID), coach.ENOTFOUND, "Delete another user's export")
		must(t, f.s.Exports().Delete(f.ctx, u.ID, early.ID), "Delete")
		wantCode(t, f.s.Exports().Delete(f.ctx, u.ID, early.ID), coach.ENOTFOUND, "Delete again")
		_, err = f.s.Exports().Get(f.ctx, u.ID, early.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get a deleted export")
	})

	t.Run("Tenancy", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		e := f.createExport(export(u.ID, base))
		_, err := f.s.Exports().Get(f.ctx, other.ID, e.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get another user's export")
		_, err = f.s.Exports().Start(f.ctx, other.ID, e.ID, base)
		wantCode(t, err, coach.ENOTFOUND, "Start another user's export")
		list, err := f.s.Exports().List(f.ctx, other.ID, 0)
		must(t, err, "List another user")
		diff(t, "List of another user", []coach.Export(nil), list)
		stored, err := f.s.Exports().Get(f.ctx, u.ID, e.ID)
		must(t, err, "Get")
		diff(t, "untouched by the other user", e, stored)
	})

	t.Run("GoWithTheirUser", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		e := f.createExport(export(u.ID, base))
		must(t, f.s.Users().Delete(f.ctx, u.ID), "delete user")
		_, err := f.s.Exports().Get(f.ctx, u.ID, e.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get after the user was deleted")
		// The id is free again once its user is gone.
		again := f.user()
		e.UserID = again.ID
		f.createExport(e)
	})

	t.Run("RollsBackWithTheTransaction", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		e := export(u.ID, base)
		boom := errors.New("boom")
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if _, err := tx.Exports().Create(f.ctx, e); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		_, err = f.s.Exports().Get(f.ctx, u.ID, e.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get a rolled-back export")
	})
}
