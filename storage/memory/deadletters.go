package memory

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// deadLetters is the storage.DeadLetters of a Store or transaction.
type deadLetters struct{ r repos }

func cloneDeadLetter(d storage.DeadLetter) storage.DeadLetter {
	d.Payload = bytes.Clone(d.Payload)
	d.FailedAt = d.FailedAt.UTC()
	return d
}

func (r deadLetters) Add(ctx context.Context, dl storage.DeadLetter) error {
	if dl.ID == "" || len(dl.ID) > 256 {
		return coach.Errorf(coach.EINVALID, "dead letter: id: want 1-256 characters")
	}
	dl = cloneDeadLetter(dl)
	if dl.UserID == "" {
		dl.UserID = storage.PayloadUserID(dl.Payload)
	}
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		old, had := d.deadLetters[dl.ID]
		d.deadLetters[dl.ID] = dl
		undo.add(func() {
			if had {
				d.deadLetters[dl.ID] = old
			} else {
				delete(d.deadLetters, dl.ID)
			}
		})
		return nil
	})
}

func (r deadLetters) List(ctx context.Context, queue string, limit int) ([]storage.DeadLetter, error) {
	var out []storage.DeadLetter
	err := r.r.read(ctx, func(d *data) error {
		for _, dl := range d.deadLetters {
			if queue == "" || dl.Queue == queue {
				out = append(out, dl)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.DeadLetter) int {
		if c := b.FailedAt.Compare(a.FailedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	out = out[:min(len(out), storage.Clamp(limit))]
	for i := range out {
		out[i] = cloneDeadLetter(out[i])
	}
	return out, err
}

func (r deadLetters) Take(ctx context.Context, id string) (storage.DeadLetter, error) {
	var out storage.DeadLetter
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		dl, ok := d.deadLetters[id]
		if !ok {
			return coach.Errorf(coach.ENOTFOUND, "dead letter %s: not found", clipKey(id))
		}
		delete(d.deadLetters, id)
		undo.add(func() { d.deadLetters[id] = dl })
		out = cloneDeadLetter(dl)
		return nil
	})
	return out, err
}

func (r deadLetters) DeleteFailedBefore(ctx context.Context, cutoff time.Time) (int, error) {
	if cutoff.IsZero() {
		return 0, nil
	}
	n := 0
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		n = 0
		for id, dl := range d.deadLetters {
			if !dl.FailedAt.Before(cutoff) {
				continue
			}
			delete(d.deadLetters, id)
			undo.add(func() { d.deadLetters[id] = dl })
			n++
		}
		return nil
	})
	return n, err
}
