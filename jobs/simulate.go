package jobs

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/transport"
)

// SimulateSimple is the handler of simulate.simple: it runs the payload's stored simulation run
// (sim.Service.Run), which writes the result and the simulation.ready event in one transaction,
// ends a run that cannot succeed as failed (a completed job), and returns an ended run as it is,
// so running the job again changes nothing. A run that is gone is skipped; a transient error
// leaves the run running and is retried.
func (h *Handlers) SimulateSimple(ctx context.Context, j transport.Job) error {
	if !h.constructed() {
		return errNotConstructed
	}
	if h.simulator == nil {
		return unavailable(transport.JobSimulateSimple, "Simulator")
	}
	p, err := ParseSimulate(j.Payload)
	if err != nil {
		return err
	}
	_, err = h.simulator.Run(ctx, p.UserID, p.RunID)
	return h.settle(ctx, j, err)
}

// SubmitSimulation stores req as a queued simulation run of the user (sim.Service.Submit) and
// enqueues its simulate.simple job. When the enqueue fails, the run is returned with the error:
// it stays queued, and enqueueing SimulateJob of it again (its id dedupes) runs it.
//
// Errors: Submit's (EINVALID, ENOTFOUND, …); EINVALID when Config.Simulator was not given; the
// queue's.
func (h *Handlers) SubmitSimulation(ctx context.Context, userID string, req sim.Request) (coach.SimulationRun, error) {
	if !h.constructed() {
		return coach.SimulationRun{}, errNotConstructed
	}
	if h.simulator == nil {
		return coach.SimulationRun{}, unavailable("SubmitSimulation", "Simulator")
	}
	run, err := h.simulator.Submit(ctx, userID, req)
	if err != nil {
		return coach.SimulationRun{}, err
	}
	j, err := SimulateJob(SimulatePayload{UserID: userID, RunID: run.ID})
	if err != nil {
		return run, err
	}
	_, err = h.queue.Enqueue(ctx, j)
	return run, err
}
