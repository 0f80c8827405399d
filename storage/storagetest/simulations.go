package storagetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// run returns a valid queued run of userID created at created, not yet stored.
func run(userID string, created time.Time) coach.SimulationRun {
	return coach.SimulationRun{
		ID:        coach.NewID(),
		UserID:    userID,
		Status:    coach.SimulationQueued,
		Params:    json.RawMessage(`{"scenario":{"kind":"skipLabel","label":"FOMO"},"from":"2026-01-01T00:00:00Z","to":"2026-01-08T00:00:00Z"}`),
		CreatedAt: microTime(created),
	}
}

// done and failed are valid outcomes at at.
func done(at time.Time) storage.RunOutcome {
	return storage.RunOutcome{Status: coach.SimulationDone, At: microTime(at),
		Result: json.RawMessage(`{"version":"sim/1","pnl":[{"quote":"USDT","delta":{"total":"12.5"}}],"equity":[0.1,1e-7,-3.25]}`)}
}

func failed(at time.Time) storage.RunOutcome {
	return storage.RunOutcome{Status: coach.SimulationFailed, At: microTime(at),
		Error: &coach.ErrorPayload{Code: string(coach.ENOTFOUND), Message: "rule crule1 not found"}}
}

// createRun stores r and returns it as stored.
func (f *fixture) createRun(r coach.SimulationRun) coach.SimulationRun {
	f.t.Helper()
	got, err := f.s.SimulationRuns().Create(f.ctx, r)
	must(f.t, err, "create run")
	return got
}

func runSimulationRuns(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("CreateAndGet", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		r := run(u.ID, base)
		got := f.createRun(r)
		diff(t, "Create", r, got)
		stored, err := f.s.SimulationRuns().Get(f.ctx, u.ID, r.ID)
		must(t, err, "Get")
		diff(t, "Get", r, stored)

		// A zero CreatedAt is the store's clock.
		before := time.Now().Add(-time.Minute)
		r2 := run(u.ID, base)
		r2.CreatedAt = time.Time{}
		got = f.createRun(r2)
		if got.CreatedAt.Before(before) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt = %v, want the store's clock, in UTC", got.CreatedAt)
		}
		stored, err = f.s.SimulationRuns().Get(f.ctx, u.ID, r2.ID)
		must(t, err, "Get")
		diff(t, "Get with the store's CreatedAt", got, stored)
	})

	t.Run("CreateRejects", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		r := f.createRun(run(u.ID, base))
		dup := run(other.ID, base)
		dup.ID = r.ID
		_, err := f.s.SimulationRuns().Create(f.ctx, dup)
		wantCode(t, err, coach.ECONFLICT, "Create with another user's run id")
		dup.UserID = u.ID
		_, err = f.s.SimulationRuns().Create(f.ctx, dup)
		wantCode(t, err, coach.ECONFLICT, "Create with a taken id")
		_, err = f.s.SimulationRuns().Create(f.ctx, run(coach.NewID(), base))
		wantCode(t, err, coach.ENOTFOUND, "Create for an unknown user")

		for name, edit := range map[string]func(*coach.SimulationRun){
			"running":             func(r *coach.SimulationRun) { r.Status, r.StartedAt = coach.SimulationRunning, &r.CreatedAt },
			"params not a object": func(r *coach.SimulationRun) { r.Params = json.RawMessage(`[]`) },
			"no id":               func(r *coach.SimulationRun) { r.ID = "" },
			"unknown status":      func(r *coach.SimulationRun) { r.Status = "paused" },
		} {
			bad := run(u.ID, base)
			edit(&bad)
			_, err := f.s.SimulationRuns().Create(f.ctx, bad)
			wantCode(t, err, coach.EINVALID, "Create "+name)
		}
		list, err := f.s.SimulationRuns().List(f.ctx, u.ID, storage.RunFilter{})
		must(t, err, "List")
		diff(t, "runs after rejected creates", []coach.SimulationRun{r}, list)
	})

	t.Run("StatusTransitions", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		runs := f.s.SimulationRuns()
		r := f.createRun(run(u.ID, base))

		_, _, err := runs.Finish(f.ctx, u.ID, r.ID, done(base.Add(time.Minute)))
		wantCode(t, err, coach.ECONFLICT, "Finish a queued run")

		startedAt := microTime(base.Add(time.Minute))
		got, err := runs.Start(f.ctx, u.ID, r.ID, startedAt)
		must(t, err, "Start")
		want := r
		want.Status, want.StartedAt = coach.SimulationRunning, &startedAt
		diff(t, "started run", want, got)

		got, err = runs.Start(f.ctx, u.ID, r.ID, startedAt.Add(time.Hour))
		must(t, err, "Start a running run")
		diff(t, "started again: unchanged", want, got)

		o := done(base.Add(2 * time.Minute))
		got, changed, err := runs.Finish(f.ctx, u.ID, r.ID, o)
		must(t, err, "Finish")
		if !changed {
			t.Error("Finish of a running run reports no change")
		}
		want.Status, want.Result, want.FinishedAt = coach.SimulationDone, o.Result, &o.At
		diff(t, "finished run", want, got)

		again := done(base.Add(3 * time.Minute))
		again.Result = json.RawMessage(`{"version":"sim/1","other":true}`)
		got, changed, err = runs.Finish(f.ctx, u.ID, r.ID, again)
		must(t, err, "Finish done again")
		if changed {
			t.Error("Finish of a done run as done reports a change")
		}
		diff(t, "finished again: the first outcome kept", want, got)

		_, _, err = runs.Finish(f.ctx, u.ID, r.ID, failed(base.Add(3*time.Minute)))
		wantCode(t, err, coach.ECONFLICT, "Finish a done run as failed")
		_, err = runs.Start(f.ctx, u.ID, r.ID, base.Add(3*time.Minute))
		wantCode(t, err, coach.ECONFLICT, "Start a done run")
		stored, err := runs.Get(f.ctx, u.ID, r.ID)
		must(t, err, "Get")
		diff(t, "stored after refused transitions", want, stored)
	})

	t.Run("FailedIsFinal", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		runs := f.s.SimulationRuns()
		r := f.createRun(run(u.ID, base))
		_, err := runs.Start(f.ctx, u.ID, r.ID, base.Add(time.Second))
		must(t, err, "Start")
		o := failed(base.Add(2 * time.Second))
		got, changed, err := runs.Finish(f.ctx, u.ID, r.ID, o)
		must(t, err, "Finish failed")
		if !changed || got.Status != coach.SimulationFailed || got.Error == nil || *got.Error != *o.Error || len(got.Result) != 0 {
			t.Errorf("Finish failed = %+v, changed %v; want failed with %+v and no result", got, changed, o.Error)
		}
		_, changed, err = runs.Finish(f.ctx, u.ID, r.ID, failed(base.Add(time.Hour)))
		must(t, err, "Finish failed again")
		if changed {
			t.Error("Finish of a failed run as failed reports a change")
		}
		_, _, err = runs.Finish(f.ctx, u.ID, r.ID, done(base.Add(time.Hour)))
		wantCode(t, err, coach.ECONFLICT, "Finish a failed run as done")
		_, err = runs.Start(f.ctx, u.ID, r.ID, base.Add(time.Hour))
		wantCode(t, err, coach.ECONFLICT, "Start a failed run")
		stored, err := runs.Get(f.ctx, u.ID, r.ID)
		must(t, err, "Get")
		diff(t, "failed run", got, stored)
	})

	t.Run("TimesNeverRunBackwards", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		runs := f.s.SimulationRuns()
		r := f.createRun(run(u.ID, base))
		got, err := runs.Start(f.ctx, u.ID, r.ID, base.Add(-time.Hour))
		must(t, err, "Start before creation")
		if !got.StartedAt.Equal(r.CreatedAt) {
			t.Errorf("StartedAt = %v, want CreatedAt %v for a start dated earlier", got.StartedAt, r.CreatedAt)
		}
		got, _, err = runs.Finish(f.ctx, u.ID, r.ID, done(base.Add(-time.Hour)))
		must(t, err, "Finish before the start")
		if !got.FinishedAt.Equal(*got.StartedAt) {
			t.Errorf("FinishedAt = %v, want StartedAt %v for an end dated earlier", got.FinishedAt, got.StartedAt)
		}
	})

	t.Run("FinishRejectsInvalidOutcomes", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		runs := f.s.SimulationRuns()
		r := f.createRun(run(u.ID, base))
		_, err := runs.Start(f.ctx, u.ID, r.ID, base)
		must(t, err, "Start")
		at := base.Add(time.Minute)
		for name, o := range map[string]storage.RunOutcome{
			"done without result":   {Status: coach.SimulationDone, At: at},
			"done with a string":    {Status: coach.SimulationDone, At: at, Result: json.RawMessage(`"ok"`)},
			"failed without error":  {Status: coach.SimulationFailed, At: at},
			"failed with a result":  {Status: coach.SimulationFailed, At: at, Result: json.RawMessage(`{}`), Error: failed(at).Error},
			"unknown error code":    {Status: coach.SimulationFailed, At: at, Error: &coach.ErrorPayload{Code: "oops", Message: "m"}},
			"not a final status":    {Status: coach.SimulationRunning, At: at},
			"no time":               {Status: coach.SimulationDone, Result: json.RawMessage(`{}`)},
			"done with an error":    {Status: coach.SimulationDone, At: at, Result: json.RawMessage(`{}`), Error: failed(at).Error},
			"queued is not an end":  {Status: coach.SimulationQueued, At: at},
			"empty outcome":         {},
			"failed without a text": {Status: coach.SimulationFailed, At: at, Error: &coach.ErrorPayload{Code: string(coach.EINVALID)}},
		} {
			_, _, err := runs.Finish(f.ctx, u.ID, r.ID, o)
			wantCode(t, err, coach.EINVALID, "Finish "+name)
		}
		_, err = runs.Start(f.ctx, u.ID, r.ID, time.Time{})
		wantCode(t, err, coach.EINVALID, "Start without a time")
		stored, err := runs.Get(f.ctx, u.ID, r.ID)
		must(t, err, "Get")
		if stored.Status != coach.SimulationRunning {
			t.Errorf("status %s after refused outcomes, want running", stored.Status)
		}
	})

	t.Run("ListNewestFirstWithKeysetPaging", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		var want []coach.SimulationRun
		// Three runs share a creation time: their ids order them.
		for _, d := range []time.Duration{0, 5 * time.Minute, time.Minute, time.Minute, time.Minute, 10 * time.Minute, 3 * time.Minute} {
			want = append(want, f.createRun(run(u.ID, base.Add(d))))
		}
		f.createRun(run(other.ID, base.Add(time.Minute)))
		slices.SortFunc(want, func(a, b coach.SimulationRun) int {
			if storage.PosOfRun(a).Before(storage.PosOfRun(b)) {
				return -1
			}
			return 1
		})
		all, err := f.s.SimulationRuns().List(f.ctx, u.ID, storage.RunFilter{})
		must(t, err, "List")
		diff(t, "List newest first", want, all)

		var paged []coach.SimulationRun
		filter := storage.RunFilter{Limit: 3}
		for range len(want) {
			page, err := f.s.SimulationRuns().List(f.ctx, u.ID, filter)
			must(t, err, "List page")
			paged = append(paged, page...)
			if len(page) < filter.Limit {
				break
			}
			p := storage.PosOfRun(page[len(page)-1])
			filter.After = &p
		}
		diff(t, "List paged by 3", want, paged)
	})

	t.Run("ListByStatus", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		runs := f.s.SimulationRuns()
		queued := f.createRun(run(u.ID, base))
		running := f.createRun(run(u.ID, base.Add(time.Minute)))
		ended := f.createRun(run(u.ID, base.Add(2*time.Minute)))
		for _, r := range []coach.SimulationRun{running, ended} {
			_, err := runs.Start(f.ctx, u.ID, r.ID, base.Add(3*time.Minute))
			must(t, err, "Start")
		}
		_, _, err := runs.Finish(f.ctx, u.ID, ended.ID, done(base.Add(4*time.Minute)))
		must(t, err, "Finish")
		for status, want := range map[string]string{coach.SimulationQueued: queued.ID, coach.SimulationRunning: running.ID, coach.SimulationDone: ended.ID} {
			list, err := runs.List(f.ctx, u.ID, storage.RunFilter{Status: status})
			must(t, err, "List "+status)
			if len(list) != 1 || list[0].ID != want || list[0].Status != status {
				t.Errorf("List(%s) = %v, want only run %s", status, list, want)
			}
		}
		list, err := runs.List(f.ctx, u.ID, storage.RunFilter{Status: coach.SimulationFailed})
		must(t, err, "List failed")
		diff(t, "failed runs", []coach.SimulationRun(nil), list)
	})

	t.Run("OtherUsersRunIsNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		runs := f.s.SimulationRuns()
		r := f.createRun(run(u.ID, base))
		_, err := runs.Get(f.ctx, other.ID, r.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get as another user")
		_, err = runs.Start(f.ctx, other.ID, r.ID, base)
		wantCode(t, err, coach.ENOTFOUND, "Start as another user")
		_, err = runs.Start(f.ctx, u.ID, r.ID, base)
		must(t, err, "Start")
		_, _, err = runs.Finish(f.ctx, other.ID, r.ID, done(base))
		wantCode(t, err, coach.ENOTFOUND, "Finish as another user")
		_, err = runs.Get(f.ctx, u.ID, coach.NewID())
		wantCode(t, err, coach.ENOTFOUND, "Get an unknown run")
		_, _, err = runs.Finish(f.ctx, u.ID, coach.NewID(), done(base))
		wantCode(t, err, coach.ENOTFOUND, "Finish an unknown run")
		list, err := runs.List(f.ctx, other.ID, storage.RunFilter{})
		must(t, err, "List as another user")
		diff(t, "another user's runs", []coach.SimulationRun(nil), list)
		stored, err := runs.Get(f.ctx, u.ID, r.ID)
		must(t, err, "Get")
		if stored.Status != coach.SimulationRunning {
			t.Errorf("status %s after another user's Finish, want running", stored.Status)
		}
	})

	t.Run("ConcurrentFinishChangesOnce", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		runs := f.s.SimulationRuns()
		const n = 8
		ids := make([]string, 3)
		for i := range ids {
			ids[i] = f.createRun(run(u.ID, base)).ID
		}
		for _, id := range ids {
			var (
				wg              sync.WaitGroup
				mu              sync.Mutex
				changes, starts int
				errs            []error
			)
			for i := range n {
				wg.Go(func() {
					r, err := runs.Start(f.ctx, u.ID, id, base.Add(time.Second))
					if err == nil && r.Status == coach.SimulationRunning {
						mu.Lock()
						starts++
						mu.Unlock()
					}
					o := done(base.Add(time.Minute))
					if i%2 == 1 {
						o = failed(base.Add(time.Minute))
					}
					_, changed, ferr := runs.Finish(f.ctx, u.ID, id, o)
					mu.Lock()
					defer mu.Unlock()
					if changed {
						changes++
					}
					if err := errors.Join(err, ferr); err != nil && coach.ErrorCode(err) != coach.ECONFLICT {
						errs = append(errs, err)
					}
				})
			}
			wg.Wait()
			if changes != 1 || len(errs) > 0 {
				t.Errorf("run %s: %d of %d concurrent Finishes changed it, want 1 (unexpected errors: %v)", id, changes, n, errs)
			}
			if starts == 0 {
				t.Errorf("run %s: no Start saw the run running", id)
			}
			stored, err := runs.Get(f.ctx, u.ID, id)
			must(t, err, "Get")
			if !stored.Final() {
				t.Errorf("run %s is %s after the Finishes", id, stored.Status)
			}
		}
	})

	t.Run("FinishAndEventCommitOrRollBackTogether", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		r := f.createRun(run(u.ID, base))
		_, err := f.s.SimulationRuns().Start(f.ctx, u.ID, r.ID, base)
		must(t, err, "Start")
		finish := func(tx storage.Tx) error {
			if _, _, err := tx.SimulationRuns().Finish(f.ctx, u.ID, r.ID, done(base.Add(time.Minute))); err != nil {
				return err
			}
			e, err := coach.NewEvent(u.ID, coach.EventSimulationReady, 1, coach.SimulationReadyPayload{RunID: r.ID, Status: coach.SimulationDone})
			if err != nil {
				return err
			}
			_, err = tx.Events().Append(f.ctx, e)
			return err
		}
		boom := fmt.Errorf("boom")
		err = f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if err := finish(tx); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want the function's error", err)
		}
		stored, err := f.s.SimulationRuns().Get(f.ctx, u.ID, r.ID)
		must(t, err, "Get")
		evs, err := f.s.Events().Since(f.ctx, u.ID, "", 0)
		must(t, err, "Since")
		if stored.Status != coach.SimulationRunning || len(evs) != 0 {
			t.Fatalf("after a rollback: run %s with %d events, want running with none", stored.Status, len(evs))
		}
		must(t, f.s.InTx(f.ctx, finish), "InTx")
		stored, err = f.s.SimulationRuns().Get(f.ctx, u.ID, r.ID)
		must(t, err, "Get")
		evs, err = f.s.Events().Since(f.ctx, u.ID, "", 0)
		must(t, err, "Since")
		if stored.Status != coach.SimulationDone || len(evs) != 1 || evs[0].Type != coach.EventSimulationReady {
			t.Errorf("after the commit: run %s with events %v, want done with one simulation.ready", stored.Status, evs)
		}
	})

	t.Run("GoWithTheirUser", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		r := f.createRun(run(u.ID, base))
		kept := f.createRun(run(other.ID, base))
		must(t, f.s.Users().Delete(f.ctx, u.ID), "delete user")
		_, err := f.s.SimulationRuns().Get(f.ctx, u.ID, r.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get a deleted user's run")
		list, err := f.s.SimulationRuns().List(f.ctx, u.ID, storage.RunFilter{})
		must(t, err, "List")
		diff(t, "a deleted user's runs", []coach.SimulationRun(nil), list)
		got, err := f.s.SimulationRuns().Get(f.ctx, other.ID, kept.ID)
		must(t, err, "Get the other user's run")
		diff(t, "the other user's run", kept, got)
	})
}
