package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// exports is the storage.Exports of a Store or transaction.
type exports struct{ r repos }

func cloneExport(e coach.Export) coach.Export {
	e.RequestedAt = e.RequestedAt.UTC()
	e.StartedAt = cloneTime(e.StartedAt)
	e.FinishedAt = cloneTime(e.FinishedAt)
	e.ExpiresAt = cloneTime(e.ExpiresAt)
	if e.Error != nil {
		x := *e.Error
		e.Error = &x
	}
	return e
}

func (r exports) Create(ctx context.Context, e coach.Export) (coach.Export, error) {
	if e.RequestedAt.IsZero() {
		e.RequestedAt = r.r.now()
	}
	if err := e.Validate(); err != nil {
		return coach.Export{}, err
	}
	if e.Status != coach.ExportQueued {
		return coach.Export{}, coach.Errorf(coach.EINVALID, "status: an export is created queued")
	}
	e = cloneExport(e)
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		if d.taken(kindExport, e.ID) {
			return coach.Errorf(coach.ECONFLICT, "export %s already exists", e.ID)
		}
		b, ok := d.users[e.UserID]
		if !ok || b.user == nil {
			return notFound("user", e.UserID)
		}
		p := &e
		b.exports[e.ID] = p
		d.setOwner(kindExport, e.ID, e.UserID, undo)
		undo.add(func() { delete(b.exports, e.ID) })
		return nil
	})
	if err != nil {
		return coach.Export{}, err
	}
	return cloneExport(e), nil
}

// exportOf returns the user's export id, or ENOTFOUND.
func exportOf(d *data, userID, id string) (*coach.Export, error) {
	b, ok := d.users[userID]
	if !ok || b.exports[id] == nil {
		return nil, notFound("export", id)
	}
	return b.exports[id], nil
}

func (r exports) Get(ctx context.Context, userID, id string) (coach.Export, error) {
	var out coach.Export
	err := r.r.read(ctx, func(d *data) error {
		p, err := exportOf(d, userID, id)
		if err == nil {
			out = cloneExport(*p)
		}
		return err
	})
	return out, err
}

func (r exports) List(ctx context.Context, userID string, limit int) ([]coach.Export, error) {
	var out []coach.Export
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		for _, p := range b.exports {
			out = append(out, cloneExport(*p))
		}
		slices.SortFunc(out, func(a, b coach.Export) int {
			if c := b.RequestedAt.Compare(a.RequestedAt); c != 0 {
				return c
			}
			return cmp.Compare(b.ID, a.ID)
		})
		out = out[:min(len(out), storage.Clamp(limit))]
		return nil
	})
	return out, err
}

func (r exports) Start(ctx context.Context, userID, id string, at time.Time) (coach.Export, error) {
	if at.IsZero() {
		return coach.Export{}, coach.Errorf(coach.EINVALID, "at: required")
	}
	var out coach.Export
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		p, err := exportOf(d, userID, id)
		if err != nil {
			return err
		}
		switch {
		case p.Status == coach.ExportRunning:
			out = cloneExport(*p)
			return nil
		case p.Final():
			return coach.Errorf(coach.ECONFLICT, "export %s has ended (%s)", id, p.Status)
		}
		old := *p
		started := at.UTC()
		if started.Before(p.RequestedAt) {
			started = p.RequestedAt
		}
		p.Status, p.StartedAt = coach.ExportRunning, &started
		undo.add(func() { *p = old })
		out = cloneExport(*p)
		return nil
	})
	return out, err
}

func (r exports) Finish(ctx context.Context, userID, id string, o storage.ExportOutcome) (coach.Export, bool, error) {
	if err := o.Validate(); err != nil {
		return coach.Export{}, false, err
	}
	var (
		out     coach.Export
		changed bool
	)
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		p, err := exportOf(d, userID, id)
		if err != nil {
			return err
		}
		switch {
		case p.Status == o.Status:
			out = cloneExport(*p)
			return nil
		case p.Status == coach.ExportQueued:
			return coach.Errorf(coach.ECONFLICT, "export %s has not started", id)
		case p.Final():
			return coach.Errorf(coach.ECONFLICT, "export %s already ended %s", id, p.Status)
		}
		old := *p
		*p = o.Apply(*p)
		undo.add(func() { *p = old })
		out, changed = cloneExport(*p), true
		return nil
	})
	return out, changed, err
}

func (r exports) Expired(ctx context.Context, now time.Time, limit int) ([]coach.Export, error) {
	var out []coach.Export
	err := r.r.read(ctx, func(d *data) error {
		for _, b := range d.users {
			for _, p := range b.exports {
				if p.ExpiresAt != nil && !p.ExpiresAt.After(now) {
					out = append(out, cloneExport(*p))
				}
			}
		}
		slices.SortFunc(out, func(a, b coach.Export) int {
			if c := a.ExpiresAt.Compare(*b.ExpiresAt); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		out = out[:min(len(out), storage.Clamp(limit))]
		return nil
	})
	return out, err
}

func (r exports) Delete(ctx context.Context, userID, id string) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		p, err := exportOf(d, userID, id)
		if err != nil {
			return err
		}
		b := d.users[userID]
		delete(b.exports, id)
		d.dropOwner(kindExport, id, undo)
		undo.add(func() { b.exports[id] = p })
		return nil
	})
}
