package seal

import (
	"context"

	"github.com/tradecoach/coach/storage"
)

// StoredKeys is a DataKeys over a storage.DataKeys port: the users' wrapped data keys kept in
// the deployment's store (PostgreSQL's data_keys table, or the memory store), so that they
// survive a restart and are erased with the user (storage.Erasures). Each key gets an id when it
// is first stored, and keeps it when a KEK rotation wraps it again.
type StoredKeys struct {
	Keys storage.DataKeys
}

// Get returns the user's wrapped key, or ENOTFOUND.
func (s StoredKeys) Get(ctx context.Context, userID string) (WrappedKey, error) {
	k, err := s.Keys.Get(ctx, userID)
	if err != nil {
		return WrappedKey{}, err
	}
	return WrappedKey{KEKID: k.KEKID, Wrapped: k.Wrapped}, nil
}

// Put stores or replaces the user's wrapped key. The user must exist in the store (ENOTFOUND
// otherwise).
func (s StoredKeys) Put(ctx context.Context, userID string, k WrappedKey) error {
	return s.Keys.Put(ctx, storage.DataKey{UserID: userID, KEKID: k.KEKID, Wrapped: k.Wrapped})
}
