package seal

import (
	"context"
	"sync"

	"github.com/tradecoach/coach"
)

// WrappedKey is a user's data key as stored: wrapped by the KEK named KEKID.
type WrappedKey struct {
	KEKID   string
	Wrapped []byte
}

// DataKeys stores each user's wrapped data key. It is optional: envelopes carry their wrapped DEK,
// so losing this store loses nothing but the reuse of a user's DEK.
type DataKeys interface {
	// Get returns the user's wrapped key, or ENOTFOUND.
	Get(ctx context.Context, userID string) (WrappedKey, error)

	// Put stores or replaces the user's wrapped key.
	Put(ctx context.Context, userID string, k WrappedKey) error
}

// MemoryDataKeys is a DataKeys in memory, safe for concurrent use.
type MemoryDataKeys struct {
	mu   sync.Mutex
	keys map[string]WrappedKey
}

// NewMemoryDataKeys returns an empty MemoryDataKeys.
func NewMemoryDataKeys() *MemoryDataKeys { return &MemoryDataKeys{keys: map[string]WrappedKey{}} }

// Get returns the user's wrapped key, or ENOTFOUND.
func (m *MemoryDataKeys) Get(_ context.Context, userID string) (WrappedKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[userID]
	if !ok {
		return WrappedKey{}, coach.Errorf(coach.ENOTFOUND, "seal: no data key for user %s", userID)
	}
	return WrappedKey{KEKID: k.KEKID, Wrapped: append([]byte(nil), k.Wrapped...)}, nil
}

// Put stores or replaces the user's wrapped key.
func (m *MemoryDataKeys) Put(_ context.Context, userID string, k WrappedKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[userID] = WrappedKey{KEKID: k.KEKID, Wrapped: append([]byte(nil), k.Wrapped...)}
	return nil
}
