package sim_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
)

// service builds the fixture's service as configured now.
func (fx *serviceFixture) service(t *testing.T) *sim.Service {
	t.Helper()
	svc, err := sim.New(fx.svc.ServiceConfig)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// readyEvents returns the user's simulation.ready payloads, oldest first.
func (fx *serviceFixture) readyEvents(t *testing.T) []coach.SimulationReadyPayload {
	t.Helper()
	evs, err := fx.store.Events().Since(context.Background(), fx.user, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []coach.SimulationReadyPayload
	for _, e := range evs {
		if e.Type != coach.EventSimulationReady {
			continue
		}
		if e.V != 1 {
			t.Errorf("simulation.ready v%d, want v1", e.V)
		}
		var p coach.SimulationReadyPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func TestRunSubmittedSimulation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newServiceFixture(t)
	svc := fx.service(t)

	run, err := svc.Submit(ctx, fx.user, fx.req)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != coach.SimulationQueued || run.UserID != fx.user || !coach.ValidID(run.ID) || run.CreatedAt.IsZero() {
		t.Fatalf("submitted run %+v, want a queued run of the user", run)
	}
	req, err := sim.RunRequest(run)
	if err != nil {
		t.Fatal(err)
	}
	want := fx.req
	want.Interval = coach.Hour1
	if diff := cmp.Diff(want, req); diff != "" {
		t.Errorf("RunRequest (-submitted +read back):\n%s", diff)
	}
	if _, err := sim.RunResult(run); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("RunResult of a queued run: %v, want EINVALID", err)
	}
	if calls := fx.calls.Load(); calls != 0 {
		t.Errorf("Submit fetched candles %d times; it simulates nothing", calls)
	}

	ended, err := svc.Run(ctx, fx.user, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ended.Status != coach.SimulationDone || ended.StartedAt == nil || ended.FinishedAt == nil {
		t.Fatalf("ran run %+v, want done with its times", ended)
	}
	res, err := sim.RunResult(ended)
	if err != nil {
		t.Fatal(err)
	}
	// The stored result is what Simulate gives for the same request (here from its cache).
	direct, err := svc.Simulate(ctx, fx.user, fx.req)
	if err != nil {
		t.Fatal(err)
	}
	direct.Cached = false
	if diff := cmp.Diff(direct, res); diff != "" {
		t.Errorf("stored result (-Simulate +stored):\n%s", diff)
	}
	if !res.PnL[0].Delta.Total.Equal(d("20.175")) {
		t.Errorf("stored delta %s, want the worked example's 20.175", res.PnL[0].Delta.Total)
	}
	if diff := cmp.Diff([]coach.SimulationReadyPayload{{RunID: run.ID, Status: coach.SimulationDone}}, fx.readyEvents(t)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// Running it again (a job delivered twice) simulates nothing and emits nothing.
	calls := fx.calls.Load()
	again, err := svc.Run(ctx, fx.user, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ended, again); diff != "" {
		t.Errorf("second Run (-first +second):\n%s", diff)
	}
	if fx.calls.Load() != calls || len(fx.readyEvents(t)) != 1 {
		t.Errorf("second Run: %d more candle fetches, %d events; want none more and one", fx.calls.Load()-calls, len(fx.readyEvents(t)))
	}
	got, err := svc.Get(ctx, fx.user, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ended, got); diff != "" {
		t.Errorf("Get (-ran +got):\n%s", diff)
	}
}

func TestRunFailsForGood(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newServiceFixture(t)
	svc := fx.service(t)
	run, err := svc.Submit(ctx, fx.user, sim.Request{Scenario: sim.Scenario{Kind: sim.KindFollowRule, RuleIDs: []string{coach.NewID()}}, Params: window(6)})
	if err != nil {
		t.Fatal(err)
	}
	ended, err := svc.Run(ctx, fx.user, run.ID)
	if err != nil {
		t.Fatalf("Run of a simulation that cannot succeed: %v, want the failed run and no error", err)
	}
	if ended.Status != coach.SimulationFailed || ended.Error == nil || ended.Error.Code != string(coach.ENOTFOUND) || len(ended.Result) > 0 {
		t.Fatalf("run %+v, want failed with not_found", ended)
	}
	want := []coach.SimulationReadyPayload{{RunID: run.ID, Status: coach.SimulationFailed, Error: ended.Error}}
	if diff := cmp.Diff(want, fx.readyEvents(t)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if again, err := svc.Run(ctx, fx.user, run.ID); err != nil || again.Status != coach.SimulationFailed || len(fx.readyEvents(t)) != 1 {
		t.Errorf("second Run: %v, %s, %d events; want the failed run and one event", err, again.Status, len(fx.readyEvents(t)))
	}
}

func TestRunTransientErrorKeepsItRunning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newServiceFixture(t)
	working := fx.svc.Candles
	fx.svc.Candles = &CandleSource{CandlesFunc: func(context.Context, coach.Symbol, coach.Interval, time.Time, time.Time) ([]coach.Candle, error) {
		return nil, coach.Errorf(coach.EUNAVAILABLE, "vendor down")
	}}
	run, err := fx.service(t).Submit(ctx, fx.user, fx.req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fx.service(t).Run(ctx, fx.user, run.ID)
	if coach.ErrorCode(err) != coach.EUNAVAILABLE || got.Status != coach.SimulationRunning {
		t.Fatalf("Run with market data down: %s, %v; want the running run and EUNAVAILABLE", got.Status, err)
	}
	if evs := fx.readyEvents(t); len(evs) != 0 {
		t.Errorf("events after a transient failure: %v, want none", evs)
	}
	// The retry resumes the running run: it keeps the time it first started.
	started := *got.StartedAt
	fx.svc.Candles = working
	got, err = fx.service(t).Run(ctx, fx.user, run.ID)
	if err != nil || got.Status != coach.SimulationDone || !got.StartedAt.Equal(started) {
		t.Fatalf("retry: %s started %v, %v; want done, started %v", got.Status, got.StartedAt, err, started)
	}
	if evs := fx.readyEvents(t); len(evs) != 1 || evs[0].Status != coach.SimulationDone {
		t.Errorf("events after the retry: %v, want one done", evs)
	}
}

func TestRunConcurrentlyEndsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newServiceFixture(t)
	svc := fx.service(t)
	run, err := svc.Submit(ctx, fx.user, fx.req)
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	got := make([]coach.SimulationRun, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = svc.Run(ctx, fx.user, run.ID) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || got[i].Status != coach.SimulationDone {
			t.Errorf("Run #%d: %s, %v; want done", i, got[i].Status, errs[i])
		}
		if diff := cmp.Diff(got[0], got[i]); diff != "" {
			t.Errorf("Run #%d differs from #0:\n%s", i, diff)
		}
	}
	if evs := fx.readyEvents(t); len(evs) != 1 {
		t.Errorf("%d simulation.ready events after %d concurrent Runs, want 1", len(evs), n)
	}
}

func TestRunsAreTheUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newServiceFixture(t)
	svc := fx.service(t)
	other := coach.NewID()
	if err := fx.store.Users().Create(ctx, coach.User{ID: other, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	run, err := svc.Submit(ctx, fx.user, fx.req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Run(ctx, other, run.ID); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("Run of another user's run: %v, want ENOTFOUND", err)
	}
	if _, err := svc.Get(ctx, other, run.ID); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("Get of another user's run: %v, want ENOTFOUND", err)
	}
	if list, err := svc.List(ctx, other, storage.RunFilter{}); err != nil || len(list) != 0 {
		t.Errorf("another user's List: %v, %v; want none", list, err)
	}
	stored, err := svc.Get(ctx, fx.user, run.ID)
	if err != nil || stored.Status != coach.SimulationQueued {
		t.Errorf("the run after another user's Run: %s, %v; want queued", stored.Status, err)
	}
}

func TestListRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newServiceFixture(t)
	svc := fx.service(t)
	var ids []string
	for range 5 {
		r, err := svc.Submit(ctx, fx.user, fx.req)
		if err != nil {
			t.Fatal(err)
		}
		ids = append([]string{r.ID}, ids...) // newest first
		fx.clock.Advance(time.Second)
	}
	if _, err := svc.Run(ctx, fx.user, ids[1]); err != nil {
		t.Fatal(err)
	}
	var got []string
	f := storage.RunFilter{Limit: 2}
	for {
		page, err := svc.List(ctx, fx.user, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			got = append(got, r.ID)
		}
		if len(page) < f.Limit {
			break
		}
		p := storage.PosOfRun(page[len(page)-1])
		f.After = &p
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("List paged by 2 (-newest first +got):\n%s", diff)
	}
	done, err := svc.List(ctx, fx.user, storage.RunFilter{Status: coach.SimulationDone})
	if err != nil || len(done) != 1 || done[0].ID != ids[1] {
		t.Errorf("List done: %v, %v; want run %s", done, err, ids[1])
	}
	if _, err := svc.List(ctx, fx.user, storage.RunFilter{Status: "paused"}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("List of an unknown status: %v, want EINVALID", err)
	}
}

func TestSubmitErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newServiceFixture(t)
	svc := fx.service(t)
	long := fx.req
	long.Interval = coach.Minute1
	long.To = long.From.Add(3 * 365 * 24 * time.Hour)
	for _, tc := range []struct {
		name string
		user string
		req  sim.Request
		code coach.Code
	}{
		{"bad user id", "not an id", fx.req, coach.EINVALID},
		{"unknown user", coach.NewID(), fx.req, coach.ENOTFOUND},
		{"bad request", fx.user, sim.Request{Params: window(6)}, coach.EINVALID},
		{"too many candles", fx.user, long, coach.EINVALID},
	} {
		if _, err := svc.Submit(ctx, tc.user, tc.req); coach.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	for _, id := range []string{"", "a b"} {
		if _, err := svc.Run(ctx, fx.user, id); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("Run(%q): %v, want EINVALID", id, err)
		}
	}
	if list, err := svc.List(ctx, fx.user, storage.RunFilter{}); err != nil || len(list) != 0 {
		t.Errorf("runs after refused submissions: %v, %v; want none", list, err)
	}
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	for code, want := range map[coach.Code]bool{
		coach.EINVALID: true, coach.ENOTFOUND: true, coach.EFORBIDDEN: true, coach.EUNAUTHORIZED: true, coach.EGONE: true,
		coach.EUNAVAILABLE: false, coach.ERETRYABLE: false, coach.ECANCELED: false, coach.ECONFLICT: false,
		coach.ERATELIMITED: false, coach.EINTERNAL: false,
	} {
		if got := sim.Permanent(coach.Errorf(code, "x")); got != want {
			t.Errorf("Permanent(%s) = %v, want %v", code, got, want)
		}
	}
	if sim.Permanent(context.Canceled) {
		t.Error("Permanent(a bare driver error) = true, want false (internal)")
	}
}
