package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// syncs is the storage.Syncs of a Store or transaction: the mark lives on the connection's record.
type syncs struct{ r repos }

func syncOf(rec *connRec) storage.ConnectionSync {
	return storage.ConnectionSync{UserID: rec.c.UserID, ConnectionID: rec.c.ID, Broker: rec.c.Broker, Status: rec.c.Status,
		CreatedAt: rec.c.CreatedAt, SyncedThrough: rec.synced}
}

func (r syncs) MarkSynced(ctx context.Context, userID, connectionID string, from, to time.Time) (bool, error) {
	if from.IsZero() || !from.Before(to) {
		return false, coach.Errorf(coach.EINVALID, "sync window: from must be before to")
	}
	moved := false
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.connections[connectionID] == nil {
			return notFound("connection", connectionID)
		}
		rec := b.connections[connectionID]
		old := rec.synced
		if !old.IsZero() && (from.After(old) || !to.After(old)) {
			return nil
		}
		rec.synced, moved = to.UTC(), true
		undo.add(func() { rec.synced = old })
		return nil
	})
	return moved, err
}

func (r syncs) State(ctx context.Context, userID, connectionID string) (storage.ConnectionSync, error) {
	var out storage.ConnectionSync
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || b.connections[connectionID] == nil {
			return notFound("connection", connectionID)
		}
		out = syncOf(b.connections[connectionID])
		return nil
	})
	return out, err
}

// Due scans every connection of every user.
func (r syncs) Due(ctx context.Context, f storage.SyncFilter) ([]storage.ConnectionSync, error) {
	if f.SyncedBefore.IsZero() {
		return nil, coach.Errorf(coach.EINVALID, "syncedBefore: required")
	}
	if f.After != "" && !coach.ValidID(f.After) {
		return nil, coach.Errorf(coach.EINVALID, "after: not a connection id")
	}
	var out []storage.ConnectionSync
	err := r.r.read(ctx, func(d *data) error {
		for _, b := range d.users {
			for id, rec := range b.connections {
				switch {
				case id <= f.After, rec.c.Status != coach.ConnectionActive, slices.Contains(f.SkipBrokers, rec.c.Broker),
					!rec.synced.IsZero() && rec.synced.After(f.SyncedBefore):
					continue
				}
				out = append(out, syncOf(rec))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b storage.ConnectionSync) int { return cmp.Compare(a.ConnectionID, b.ConnectionID) })
	if n := storage.Clamp(f.Limit); len(out) > n {
		out = out[:n:n]
	}
	return out, nil
}
