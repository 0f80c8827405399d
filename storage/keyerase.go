package storage

import "context"

// KeyEraser is an optional capability of a key-value adapter (the Redis store, each memory
// store): it removes every key made by UserKey for a user, whichever of the adapter's stores
// (cache, idempotency, rate limits, leases) wrote it.
type KeyEraser interface {
	// EraseUser deletes every key of the user's and returns how many it deleted. Erasing a user
	// without keys deletes nothing and is not an error.
	EraseUser(ctx context.Context, userID string) (int, error)
}
