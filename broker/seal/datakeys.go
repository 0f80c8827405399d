package seal

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/tradecoach/coach"
)

// WrappedKey is a user's data key as stored: wrapped by the KEK named KEKID.
type WrappedKey struct {
	KEKID   string
	Wrapped []byte
}

// String describes the key by its KEK id only: a wrapped data key never prints.
func (k WrappedKey) String() string {
	return "seal.WrappedKey{KEKID:" + k.KEKID + " Wrapped:" + SealedText + "}"
}

// GoString is String, for %#v.
func (k WrappedKey) GoString() string { return k.String() }

// Format writes String for every verb and flag.
func (k WrappedKey) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, k.String())
	}
}

// LogValue makes log/slog record the KEK id only.
func (k WrappedKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

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
	mu sync.Mutex
	// keys hold the wrapped bytes as a Sealed, which never prints, even through reflection.
	keys map[string]storedKey
}

type storedKey struct {
	kekID   string
	wrapped Sealed
}

// Format writes "seal.MemoryDataKeys{[sealed]}" for every verb and flag.
func (m *MemoryDataKeys) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, "seal.MemoryDataKeys{"+SealedText+"}")
	}
}

// LogValue makes log/slog record no key.
func (m *MemoryDataKeys) LogValue() slog.Value {
	return slog.StringValue("seal.MemoryDataKeys{" + SealedText + "}")
}

// NewMemoryDataKeys returns an empty MemoryDataKeys.
func NewMemoryDataKeys() *MemoryDataKeys { return &MemoryDataKeys{keys: map[string]storedKey{}} }

// Get returns the user's wrapped key, or ENOTFOUND.
func (m *MemoryDataKeys) Get(_ context.Context, userID string) (WrappedKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[userID]
	if !ok {
		return WrappedKey{}, coach.Errorf(coach.ENOTFOUND, "seal: no data key for user %s", userID)
	}
	return WrappedKey{KEKID: k.kekID, Wrapped: k.wrapped.Bytes()}, nil
}

// Put stores or replaces the user's wrapped key.
func (m *MemoryDataKeys) Put(_ context.Context, userID string, k WrappedKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[userID] = storedKey{kekID: k.KEKID, wrapped: SealedOf(k.Wrapped)}
	return nil
}
