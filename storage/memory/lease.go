package memory

import (
	"context"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Leases is a storage.Leases in process memory, for the workers of one process. It is safe for
// concurrent use.
type Leases struct {
	clock coach.Clock
	mu    sync.Mutex
	m     ttlMap[string] // key → owner, expiring with the lease
}

var _ storage.Leases = (*Leases)(nil)

// NewLeases returns Leases that hold nothing, reading the time from clock (coach.SystemClock{}
// when nil).
func NewLeases(clock coach.Clock) *Leases {
	return &Leases{clock: clockOrSystem(clock), m: newTTLMap[string]()}
}

func checkLease(key, owner string, ttl time.Duration) error {
	if key == "" || owner == "" || ttl < time.Millisecond {
		return coach.Errorf(coach.EINVALID, "lease: key and owner must be set and ttl at least 1ms, got %q, %q, %s", key, owner, ttl)
	}
	return nil
}

// Acquire gives key to owner for ttl unless another owner holds it.
func (l *Leases) Acquire(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, ctxError(err)
	}
	if err := checkLease(key, owner, ttl); err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := clockOrSystem(l.clock).Now()
	if l.m.m == nil {
		l.m = newTTLMap[string]()
	}
	if cur, ok := l.m.get(key, now); ok && cur != owner {
		return false, nil
	}
	l.m.set(key, owner, now.Add(ttl), now)
	return true, nil
}

// Extend renews owner's lease of key for ttl, reporting false when owner does not hold it.
func (l *Leases) Extend(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, ctxError(err)
	}
	if err := checkLease(key, owner, ttl); err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := clockOrSystem(l.clock).Now()
	if cur, ok := l.m.get(key, now); !ok || cur != owner {
		return false, nil
	}
	l.m.set(key, owner, now.Add(ttl), now)
	return true, nil
}

// Release frees key if owner holds it.
func (l *Leases) Release(ctx context.Context, key, owner string) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur, ok := l.m.get(key, clockOrSystem(l.clock).Now()); ok && cur == owner {
		l.m.del(key)
	}
	return nil
}

// Held reports whether some owner holds key now.
func (l *Leases) Held(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, ctxError(err)
	}
	if key == "" {
		return false, coach.Errorf(coach.EINVALID, "lease: key must be set")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.m.get(key, clockOrSystem(l.clock).Now())
	return ok, nil
}
