package coach_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

// runAt returns a valid run of each status: created at created, started a minute later, finished
// a minute after that.
func runAt(status string) coach.SimulationRun {
	r := coach.SimulationRun{ID: "crun1", UserID: "cuser1", Status: status,
		Params: json.RawMessage(`{"scenario":{"kind":"skipLabel","label":"FOMO"}}`), CreatedAt: created}
	started, finished := created.Add(time.Minute), created.Add(2*time.Minute)
	if status != coach.SimulationQueued {
		r.StartedAt = &started
	}
	switch status {
	case coach.SimulationDone:
		r.Result, r.FinishedAt = json.RawMessage(`{"version":"sim/1"}`), &finished
	case coach.SimulationFailed:
		r.Error, r.FinishedAt = &coach.ErrorPayload{Code: string(coach.ENOTFOUND), Message: "rule not found"}, &finished
	}
	return r
}

func TestSimulationRunValidate(t *testing.T) {
	t.Parallel()
	for _, s := range []string{coach.SimulationQueued, coach.SimulationRunning, coach.SimulationDone, coach.SimulationFailed} {
		if err := runAt(s).Validate(); err != nil {
			t.Errorf("valid %s run: %v", s, err)
		}
	}
	early := created.Add(-time.Second)
	for _, tc := range []struct {
		name, status, field string
		edit                func(*coach.SimulationRun)
	}{
		{"no id", coach.SimulationQueued, "id", func(r *coach.SimulationRun) { r.ID = "" }},
		{"id with a space", coach.SimulationQueued, "id", func(r *coach.SimulationRun) { r.ID = "r 1" }},
		{"no user", coach.SimulationQueued, "userId", func(r *coach.SimulationRun) { r.UserID = "" }},
		{"unknown status", coach.SimulationQueued, "status", func(r *coach.SimulationRun) { r.Status = "paused" }},
		{"params not an object", coach.SimulationQueued, "params", func(r *coach.SimulationRun) { r.Params = json.RawMessage(`[1]`) }},
		{"no params", coach.SimulationQueued, "params", func(r *coach.SimulationRun) { r.Params = nil }},
		{"params too large", coach.SimulationQueued, "params", func(r *coach.SimulationRun) {
			r.Params = json.RawMessage(`{"x":"` + strings.Repeat("a", coach.MaxSimulationParamsBytes) + `"}`)
		}},
		{"no createdAt", coach.SimulationQueued, "createdAt", func(r *coach.SimulationRun) { r.CreatedAt = time.Time{} }},
		{"queued but started", coach.SimulationQueued, "startedAt", func(r *coach.SimulationRun) { r.StartedAt = &created }},
		{"running not started", coach.SimulationRunning, "startedAt", func(r *coach.SimulationRun) { r.StartedAt = nil }},
		{"started before created", coach.SimulationRunning, "startedAt", func(r *coach.SimulationRun) { r.StartedAt = &early }},
		{"running but finished", coach.SimulationRunning, "finishedAt", func(r *coach.SimulationRun) { r.FinishedAt = &created }},
		{"done not finished", coach.SimulationDone, "finishedAt", func(r *coach.SimulationRun) { r.FinishedAt = nil }},
		{"finished before started", coach.SimulationDone, "finishedAt", func(r *coach.SimulationRun) { r.FinishedAt = &created }},
		{"done without result", coach.SimulationDone, "result", func(r *coach.SimulationRun) { r.Result = nil }},
		{"done with a string result", coach.SimulationDone, "result", func(r *coach.SimulationRun) { r.Result = json.RawMessage(`"ok"`) }},
		{"running with a result", coach.SimulationRunning, "result", func(r *coach.SimulationRun) { r.Result = json.RawMessage(`{}`) }},
		{"failed with a result", coach.SimulationFailed, "result", func(r *coach.SimulationRun) { r.Result = json.RawMessage(`{}`) }},
		{"failed without error", coach.SimulationFailed, "error", func(r *coach.SimulationRun) { r.Error = nil }},
		{"failed with an unknown code", coach.SimulationFailed, "error", func(r *coach.SimulationRun) { r.Error.Code = "oops" }},
		{"failed without message", coach.SimulationFailed, "error", func(r *coach.SimulationRun) { r.Error.Message = "" }},
		{"failed with a long message", coach.SimulationFailed, "error", func(r *coach.SimulationRun) { r.Error.Message = strings.Repeat("m", 1025) }},
		{"done with an error", coach.SimulationDone, "error", func(r *coach.SimulationRun) {
			r.Error = &coach.ErrorPayload{Code: string(coach.EINVALID), Message: "m"}
		}},
	} {
		r := runAt(tc.status)
		tc.edit(&r)
		err := r.Validate()
		if coach.ErrorCode(err) != coach.EINVALID || !strings.HasPrefix(coach.ErrorMessage(err), tc.field) {
			t.Errorf("%s: Validate() = %v, want EINVALID about %s", tc.name, err, tc.field)
		}
	}
}

func TestSimulationRunFinal(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{coach.SimulationQueued: false, coach.SimulationRunning: false,
		coach.SimulationDone: true, coach.SimulationFailed: true} {
		if got := runAt(s).Final(); got != want {
			t.Errorf("%s run: Final() = %v, want %v", s, got, want)
		}
	}
}
