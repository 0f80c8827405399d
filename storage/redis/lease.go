package redis

import (
	"context"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

var _ storage.Leases = (*Leases)(nil)

// Leases is a storage.Leases shared by every process on the same Redis and prefix: a lease is
// the string Prefix+"lease:"+key holding its owner, with the lease's ttl as the key's expiry (by
// Redis's clock, so workers' clocks need not agree).
type Leases struct {
	client goredis.UniversalClient
	prefix string
	index  userIndex
}

// acquireScript: KEYS[1] lease; ARGV owner, ttl ms. 1 when owner holds it now.
var acquireScript = goredis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

// extendScript: KEYS[1] lease; ARGV owner, ttl ms. 1 when owner held it and it was renewed.
var extendScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)

// leaseReleaseScript: KEYS[1] lease; ARGV owner. Deletes it only when owner holds it.
var leaseReleaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`)

func checkLease(key, owner string, ttl time.Duration) error {
	if key == "" || owner == "" || ttl < time.Millisecond {
		return coach.Errorf(coach.EINVALID, "lease: key and owner must be set and ttl at least 1ms, got %q, %q, %s", key, owner, ttl)
	}
	return nil
}

// Acquire gives key to owner for ttl unless another owner holds it.
func (l *Leases) Acquire(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if err := checkLease(key, owner, ttl); err != nil {
		return false, err
	}
	if err := l.index.record(ctx, key, l.prefix+key, ttl); err != nil {
		return false, err
	}
	n, err := acquireScript.Run(ctx, l.client, []string{l.prefix + key}, owner, ttl.Milliseconds()).Int()
	if err != nil {
		return false, formatError("lease acquire", err)
	}
	return n == 1, nil
}

// Extend renews owner's lease of key for ttl, reporting false when owner does not hold it.
func (l *Leases) Extend(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	if err := checkLease(key, owner, ttl); err != nil {
		return false, err
	}
	if err := l.index.record(ctx, key, l.prefix+key, ttl); err != nil {
		return false, err
	}
	n, err := extendScript.Run(ctx, l.client, []string{l.prefix + key}, owner, ttl.Milliseconds()).Int()
	if err != nil {
		return false, formatError("lease extend", err)
	}
	return n == 1, nil
}

// Release frees key if owner holds it.
func (l *Leases) Release(ctx context.Context, key, owner string) error {
	return formatError("lease release", leaseReleaseScript.Run(ctx, l.client, []string{l.prefix + key}, owner).Err())
}

// Held reports whether some owner holds key now: whether its string exists (Redis expires it
// with the lease).
func (l *Leases) Held(ctx context.Context, key string) (bool, error) {
	if key == "" {
		return false, coach.Errorf(coach.EINVALID, "lease: key must be set")
	}
	n, err := l.client.Exists(ctx, l.prefix+key).Result()
	if err != nil {
		return false, formatError("lease held", err)
	}
	return n == 1, nil
}
