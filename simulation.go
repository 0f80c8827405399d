package coach

import (
	"encoding/json"
	"time"
)

// Simulation run statuses. A run moves queued → running → done or failed, and only that way:
// done and failed are final.
const (
	SimulationQueued  = "queued"
	SimulationRunning = "running"
	SimulationDone    = "done"
	SimulationFailed  = "failed"
)

// EventSimulationReady is the event type of a simulation run that ended (done or failed),
// appended in the same transaction as the run's result. Its v1 payload is SimulationReadyPayload.
const EventSimulationReady = "simulation.ready"

// Bounds of a stored simulation run.
const (
	// MaxSimulationParamsBytes bounds SimulationRun.Params.
	MaxSimulationParamsBytes = 16 << 10
	// MaxSimulationResultBytes bounds SimulationRun.Result.
	MaxSimulationResultBytes = 8 << 20
)

// SimulationRun is a what-if simulation a user asked for, kept with its outcome so that it can be
// listed, read again and cited (an addition to the seed, which runs simulations but does not
// name their record). Params is the request as the sim package reads it (a JSON object); Result
// is set when Status is done, Error when it is failed. CreatedAt is when the run was submitted,
// StartedAt when it first started running, FinishedAt when it ended.
type SimulationRun struct {
	ID         string          `json:"id"`
	UserID     string          `json:"userId"`
	Status     string          `json:"status"`
	Params     json.RawMessage `json:"params"`
	Result     json.RawMessage `json:"result,omitempty"`
	Error      *ErrorPayload   `json:"error,omitempty"`
	CreatedAt  time.Time       `json:"createdAt"`
	StartedAt  *time.Time      `json:"startedAt"`
	FinishedAt *time.Time      `json:"finishedAt"`
}

// Final reports whether the run has ended (done or failed): it changes no more.
func (r SimulationRun) Final() bool {
	return r.Status == SimulationDone || r.Status == SimulationFailed
}

// Validate reports the first invalid field of r: the identifiers, a known status, Params a JSON
// object of at most MaxSimulationParamsBytes, and the fields that go with the status — a
// StartedAt once running, a Result (a JSON object of at most MaxSimulationResultBytes) exactly
// when done, an Error with a known code exactly when failed, a FinishedAt exactly when final,
// and times in order.
func (r SimulationRun) Validate() error {
	switch {
	case !ValidID(r.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(r.UserID):
		return Errorf(EINVALID, "userId: required")
	case r.Status != SimulationQueued && r.Status != SimulationRunning && !r.Final():
		return Errorf(EINVALID, "status: want queued, running, done or failed")
	case !isJSONObject(r.Params):
		return Errorf(EINVALID, "params: want a JSON object")
	case len(r.Params) > MaxSimulationParamsBytes:
		return Errorf(EINVALID, "params: larger than %d bytes", MaxSimulationParamsBytes)
	case r.CreatedAt.IsZero():
		return Errorf(EINVALID, "createdAt: required")
	case (r.Status == SimulationQueued) != (r.StartedAt == nil):
		return Errorf(EINVALID, "startedAt: set once the run has started, and only then")
	case r.Final() != (r.FinishedAt != nil):
		return Errorf(EINVALID, "finishedAt: set when the run has ended, and only then")
	case r.StartedAt != nil && r.StartedAt.Before(r.CreatedAt):
		return Errorf(EINVALID, "startedAt: before createdAt")
	case r.FinishedAt != nil && r.StartedAt != nil && r.FinishedAt.Before(*r.StartedAt):
		return Errorf(EINVALID, "finishedAt: before startedAt")
	}
	return r.validOutcome()
}

// validOutcome checks Result and Error against the status.
func (r SimulationRun) validOutcome() error {
	switch {
	case r.Status == SimulationDone && !isJSONObject(r.Result):
		return Errorf(EINVALID, "result: a done run needs a JSON object")
	case r.Status != SimulationDone && len(r.Result) > 0:
		return Errorf(EINVALID, "result: only a done run has one")
	case len(r.Result) > MaxSimulationResultBytes:
		return Errorf(EINVALID, "result: larger than %d bytes", MaxSimulationResultBytes)
	case r.Status == SimulationFailed && (r.Error == nil || !Code(r.Error.Code).Known() || r.Error.Message == ""):
		return Errorf(EINVALID, "error: a failed run needs a known code and a message")
	case r.Status != SimulationFailed && r.Error != nil:
		return Errorf(EINVALID, "error: only a failed run has one")
	case r.Error != nil && len(r.Error.Message) > maxRunErrorBytes:
		return Errorf(EINVALID, "error: message longer than %d bytes", maxRunErrorBytes)
	}
	return nil
}

// maxRunErrorBytes bounds SimulationRun.Error.Message.
const maxRunErrorBytes = 1024

// SimulationReadyPayload is the v1 payload of simulation.ready: the run ended. It points at the
// run (read it for the result) and says how it ended; Error is set when Status is failed.
type SimulationReadyPayload struct {
	RunID  string        `json:"runId"`
	Status string        `json:"status"`
	Error  *ErrorPayload `json:"error,omitempty"`
}
