package memory

import (
	"bytes"
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// dataKeys is the storage.DataKeys of a Store or transaction: each key lives in its user's
// bucket, so it goes with the user.
type dataKeys struct{ r repos }

// DataKeys returns the users' wrapped data keys.
func (r repos) DataKeys() storage.DataKeys { return dataKeys{r} }

// DataKeys returns the users' wrapped data keys; each call is its own transaction.
func (s *Store) DataKeys() storage.DataKeys { return repos{s: s}.DataKeys() }

func cloneDataKey(k storage.DataKey) storage.DataKey {
	k.Wrapped = bytes.Clone(k.Wrapped)
	k.CreatedAt = k.CreatedAt.UTC()
	return k
}

// Get returns the user's data key, or ENOTFOUND.
func (r dataKeys) Get(ctx context.Context, userID string) (storage.DataKey, error) {
	var out storage.DataKey
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || b.user == nil || b.dataKey == nil {
			return coach.Errorf(coach.ENOTFOUND, "data key not found")
		}
		out = cloneDataKey(*b.dataKey)
		return nil
	})
	return out, err
}

// Put stores the user's key or replaces its wrapping (see storage.DataKeys). ENOTFOUND when the
// user does not exist.
func (r dataKeys) Put(ctx context.Context, k storage.DataKey) error {
	switch {
	case k.UserID == "":
		return coach.Errorf(coach.EINVALID, "data key: userId: required")
	case k.KEKID == "" || len(k.KEKID) > 255:
		return coach.Errorf(coach.EINVALID, "data key: kekId: want 1 to 255 bytes")
	case len(k.Wrapped) == 0 || len(k.Wrapped) > 4096:
		return coach.Errorf(coach.EINVALID, "data key: wrapped: want 1 to 4096 bytes")
	case len(k.ID) > 256:
		return coach.Errorf(coach.EINVALID, "data key: id: want at most 256 bytes")
	}
	k = cloneDataKey(k)
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[k.UserID]
		if !ok || b.user == nil {
			return coach.Errorf(coach.ENOTFOUND, "data key: user not found")
		}
		old := b.dataKey
		nk := k
		if old != nil {
			nk = *old
			nk.KEKID, nk.Wrapped = k.KEKID, k.Wrapped
		} else {
			if nk.ID == "" {
				nk.ID = coach.NewID()
			}
			if nk.CreatedAt.IsZero() {
				nk.CreatedAt = r.r.now()
			}
		}
		b.dataKey = &nk
		undo.add(func() { b.dataKey = old })
		return nil
	})
}

// Delete removes the user's key, reporting whether there was one.
func (r dataKeys) Delete(ctx context.Context, userID string) (bool, error) {
	had := false
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.dataKey == nil {
			return nil
		}
		old := b.dataKey
		b.dataKey = nil
		undo.add(func() { b.dataKey = old })
		had = true
		return nil
	})
	return had, err
}
