package redis

import (
	"context"
	"errors"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

var _ storage.Cache = (*Cache)(nil)

// Cache is a storage.Cache: each value is one Redis string under Prefix+"cache:"+key, expiring
// with its TTL.
type Cache struct {
	client goredis.UniversalClient
	prefix string
	index  userIndex
}

// Get returns the value of key, or ENOTFOUND if it is absent or expired.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := c.client.Get(ctx, c.prefix+key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, coach.Errorf(coach.ENOTFOUND, "cache: key %q not found", key)
	}
	if err != nil {
		return nil, formatError("cache get", err)
	}
	return v, nil
}

// Set stores value under key for ttl (EINVALID unless ttl is positive).
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return coach.Errorf(coach.EINVALID, "cache: ttl must be positive, got %s", ttl)
	}
	if value == nil {
		value = []byte{}
	}
	if err := c.index.record(ctx, key, c.prefix+key, ttl); err != nil {
		return err
	}
	return formatError("cache set", c.client.Set(ctx, c.prefix+key, value, atLeastMillisecond(ttl)).Err())
}

// Delete removes key; deleting an absent key is not an error.
func (c *Cache) Delete(ctx context.Context, key string) error {
	return formatError("cache delete", c.client.Del(ctx, c.prefix+key).Err())
}

// atLeastMillisecond rounds a positive ttl up to Redis's resolution of one millisecond.
func atLeastMillisecond(ttl time.Duration) time.Duration {
	if ttl < time.Millisecond {
		return time.Millisecond
	}
	return ttl
}
