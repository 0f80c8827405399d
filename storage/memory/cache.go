package memory

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Cache is a storage.Cache in process memory. It is safe for concurrent use.
type Cache struct {
	clock coach.Clock
	mu    sync.Mutex
	m     ttlMap[[]byte]
}

var _ storage.Cache = (*Cache)(nil)

// NewCache returns an empty Cache whose TTLs run on clock (coach.SystemClock{} when nil).
func NewCache(clock coach.Clock) *Cache {
	return &Cache{clock: clockOrSystem(clock), m: newTTLMap[[]byte]()}
}

// Get returns a copy of the value of key, or ENOTFOUND if it is absent or expired.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m.get(key, c.clock.Now())
	if !ok {
		return nil, coach.Errorf(coach.ENOTFOUND, "cache: no value for this key")
	}
	return bytes.Clone(v), nil
}

// Set stores a copy of value under key for ttl; a ttl that is not positive is EINVALID.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	if ttl <= 0 {
		return coach.Errorf(coach.EINVALID, "cache: ttl must be positive, got %s", ttl)
	}
	v := bytes.Clone(value)
	if v == nil {
		v = []byte{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	c.m.set(key, v, now.Add(ttl), now)
	return nil
}

// Delete removes key; an absent key is not an error.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m.del(key)
	return nil
}
