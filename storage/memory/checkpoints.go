package memory

import (
	"context"
	"maps"

	"github.com/tradecoach/coach"
)

// checkpoints is the storage.Checkpoints of a Store or transaction.
type checkpoints struct{ r repos }

func (r checkpoints) Get(ctx context.Context, userID, connectionID, scope string) (string, error) {
	var out string
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return notFound("checkpoint", scope)
		}
		v, ok := b.checkpoints[connectionID][scope]
		if !ok {
			return notFound("checkpoint", scope)
		}
		out = v
		return nil
	})
	return out, err
}

func (r checkpoints) Put(ctx context.Context, userID, connectionID, scope, value string) error {
	if err := checkUserID(userID); err != nil {
		return err
	}
	if !coach.ValidID(connectionID) {
		return coach.Errorf(coach.EINVALID, "connectionId: malformed")
	}
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b := d.bucketFor(userID, undo)
		m, ok := b.checkpoints[connectionID]
		if !ok {
			m = make(map[string]string)
			b.checkpoints[connectionID] = m
			undo.add(func() { delete(b.checkpoints, connectionID) })
		}
		old, had := m[scope]
		m[scope] = value
		undo.add(func() {
			if had {
				m[scope] = old
			} else {
				delete(m, scope)
			}
		})
		return nil
	})
}

func (r checkpoints) List(ctx context.Context, userID, connectionID string) (map[string]string, error) {
	out := map[string]string{}
	err := r.r.read(ctx, func(d *data) error {
		if b, ok := d.users[userID]; ok {
			maps.Copy(out, b.checkpoints[connectionID])
		}
		return nil
	})
	return out, err
}
