package storage

import (
	"context"
	"time"
)

// Leases gives one owner at a time a named lease that expires unless extended: "at most one
// running import per connection" across every worker sharing the adapter (one Redis, or one
// process for the memory adapter). An owner that dies loses its lease when the ttl passes.
type Leases interface {
	// Acquire gives key to owner for ttl and reports true, when key is free or its lease has
	// expired; it reports false, changing nothing, while another owner holds it. Acquiring a key
	// owner already holds extends it. A ttl under a millisecond, an empty key or owner is EINVALID.
	Acquire(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)

	// Extend renews owner's lease of key for ttl from now and reports true; it reports false when
	// owner no longer holds key (it expired, and maybe another owner took it).
	Extend(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)

	// Release frees key if owner holds it; releasing a lease one does not hold changes nothing
	// and is not an error.
	Release(ctx context.Context, key, owner string) error

	// Held reports whether some owner holds key now (its lease has not expired), changing
	// nothing: "is an import of this connection running?". The answer may be stale as soon as it
	// is given; only Acquire decides who runs. An empty key is EINVALID.
	Held(ctx context.Context, key string) (bool, error)
}
