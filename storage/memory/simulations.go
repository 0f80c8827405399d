package memory

import (
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// simulationRuns is the storage.SimulationRuns of a Store or transaction.
type simulationRuns struct{ r repos }

func cloneRun(r coach.SimulationRun) coach.SimulationRun {
	r.Params = cloneRaw(r.Params)
	r.Result = cloneRaw(r.Result)
	if r.Error != nil {
		e := *r.Error
		r.Error = &e
	}
	r.CreatedAt = r.CreatedAt.UTC()
	r.StartedAt = cloneTime(r.StartedAt)
	r.FinishedAt = cloneTime(r.FinishedAt)
	return r
}

func (r simulationRuns) Create(ctx context.Context, run coach.SimulationRun) (coach.SimulationRun, error) {
	if run.CreatedAt.IsZero() {
		run.CreatedAt = r.r.now()
	}
	if err := run.Validate(); err != nil {
		return coach.SimulationRun{}, err
	}
	if run.Status != coach.SimulationQueued {
		return coach.SimulationRun{}, coach.Errorf(coach.EINVALID, "status: a run is created queued")
	}
	run = cloneRun(run)
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		if d.taken(kindRun, run.ID) {
			return coach.Errorf(coach.ECONFLICT, "simulation run %s already exists", run.ID)
		}
		b, ok := d.users[run.UserID]
		if !ok || b.user == nil {
			return notFound("user", run.UserID)
		}
		p := &run
		b.runs[run.ID] = p
		d.setOwner(kindRun, run.ID, run.UserID, undo)
		undo.add(func() { delete(b.runs, run.ID) })
		return nil
	})
	if err != nil {
		return coach.SimulationRun{}, err
	}
	return cloneRun(run), nil
}

func (r simulationRuns) Get(ctx context.Context, userID, id string) (coach.SimulationRun, error) {
	var out coach.SimulationRun
	err := r.r.read(ctx, func(d *data) error {
		p, err := runOf(d, userID, id)
		if err != nil {
			return err
		}
		out = cloneRun(*p)
		return nil
	})
	return out, err
}

// runOf returns the user's run id, or ENOTFOUND.
func runOf(d *data, userID, id string) (*coach.SimulationRun, error) {
	b, ok := d.users[userID]
	if !ok || b.runs[id] == nil {
		return nil, notFound("simulation run", id)
	}
	return b.runs[id], nil
}

func (r simulationRuns) List(ctx context.Context, userID string, f storage.RunFilter) ([]coach.SimulationRun, error) {
	var out []coach.SimulationRun
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		all := make([]*coach.SimulationRun, 0, len(b.runs))
		for _, p := range b.runs {
			if f.Status != "" && p.Status != f.Status {
				continue
			}
			if f.After != nil && !f.After.Before(storage.PosOfRun(*p)) {
				continue
			}
			all = append(all, p)
		}
		slices.SortFunc(all, func(a, b *coach.SimulationRun) int {
			pa, pb := storage.PosOfRun(*a), storage.PosOfRun(*b)
			switch {
			case pa.Before(pb):
				return -1
			case pb.Before(pa):
				return 1
			}
			return 0
		})
		for _, p := range all[:min(len(all), storage.Clamp(f.Limit))] {
			out = append(out, cloneRun(*p))
		}
		return nil
	})
	return out, err
}

func (r simulationRuns) Start(ctx context.Context, userID, id string, at time.Time) (coach.SimulationRun, error) {
	if at.IsZero() {
		return coach.SimulationRun{}, coach.Errorf(coach.EINVALID, "at: required")
	}
	var out coach.SimulationRun
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		p, err := runOf(d, userID, id)
		if err != nil {
			return err
		}
		switch p.Status {
		case coach.SimulationRunning:
			out = cloneRun(*p)
			return nil
		case coach.SimulationDone, coach.SimulationFailed:
			return coach.Errorf(coach.ECONFLICT, "simulation run %s has ended (%s)", id, p.Status)
		}
		old := *p
		started := at.UTC()
		if started.Before(p.CreatedAt) {
			started = p.CreatedAt
		}
		p.Status, p.StartedAt = coach.SimulationRunning, &started
		undo.add(func() { *p = old })
		out = cloneRun(*p)
		return nil
	})
	return out, err
}

func (r simulationRuns) Finish(ctx context.Context, userID, id string, o storage.RunOutcome) (coach.SimulationRun, bool, error) {
	if err := o.Validate(); err != nil {
		return coach.SimulationRun{}, false, err
	}
	o.Result = cloneRaw(o.Result)
	var (
		out     coach.SimulationRun
		changed bool
	)
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		p, err := runOf(d, userID, id)
		if err != nil {
			return err
		}
		switch {
		case p.Status == o.Status:
			out = cloneRun(*p)
			return nil
		case p.Status == coach.SimulationQueued:
			return coach.Errorf(coach.ECONFLICT, "simulation run %s has not started", id)
		case p.Final():
			return coach.Errorf(coach.ECONFLICT, "simulation run %s already ended %s", id, p.Status)
		}
		old := *p
		*p = o.Apply(*p)
		undo.add(func() { *p = old })
		out, changed = cloneRun(*p), true
		return nil
	})
	return out, changed, err
}
