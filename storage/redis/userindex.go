package redis

import (
	"context"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach/storage"
)

var _ storage.KeyEraser = (*Store)(nil)

// userIndex records, for every key made by storage.UserKey, the Redis key that holds it in a set
// of the user's, Prefix+"ukeys:"+userId, so that EraseUser deletes exactly the user's keys
// without SCAN. The set expires no earlier than the longest-lived key it names (its TTL is only
// ever extended), so it does not outlive the user's keys by much nor grow without bound.
type userIndex struct {
	client goredis.UniversalClient
	prefix string // the Store's prefix
}

// indexSlack is how much longer than its newest key the index is kept.
const indexSlack = time.Minute

// set returns the index set of userID.
func (x userIndex) set(userID string) string { return x.prefix + "ukeys:" + userID }

// record adds redisKey, the Redis key of the caller's key, to the index of key's user (nothing
// for a key not made by storage.UserKey), before the caller writes it: a key written is always
// indexed, even when the write that follows fails.
func (x userIndex) record(ctx context.Context, key, redisKey string, ttl time.Duration) error {
	user := storage.KeyUser(key)
	if user == "" {
		return nil
	}
	idx := x.set(user)
	keep := ttl + indexSlack
	_, err := x.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.SAdd(ctx, idx, redisKey)
		p.ExpireNX(ctx, idx, keep)
		p.ExpireGT(ctx, idx, keep)
		return nil
	})
	return formatError("user key index", err)
}

// EraseUser deletes every key of the user's that this Store's cache, idempotency records, rate
// limiter and leases wrote (see storage.KeyEraser), and the user's index, and returns how many
// of the user's keys still existed.
func (s *Store) EraseUser(ctx context.Context, userID string) (int, error) {
	idx := s.cache.index.set(userID)
	keys, err := s.client.SMembers(ctx, idx).Result()
	if err != nil {
		return 0, formatError("erase user keys", err)
	}
	n := 0
	const chunk = 500
	for len(keys) > 0 {
		part := keys[:min(chunk, len(keys))]
		keys = keys[len(part):]
		d, err := s.client.Del(ctx, part...).Result()
		if err != nil {
			return n, formatError("erase user keys", err)
		}
		n += int(d)
	}
	if err := s.client.Del(ctx, idx).Err(); err != nil {
		return n, formatError("erase user keys", err)
	}
	return n, nil
}
