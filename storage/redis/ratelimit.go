package redis

import (
	"context"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

var _ storage.RateLimiter = (*RateLimiter)(nil)

// RateLimiter is a storage.RateLimiter: GCRA in one Lua script per event
// (github.com/go-redis/redis_rate/v10), whose state for a key is one Redis string
// "rate:"+Prefix+"rate:"+key that expires once the key is back to a full burst.
type RateLimiter struct {
	limiter *redis_rate.Limiter
	prefix  string
	index   userIndex
}

// Allow counts one event for key under limit. Rate, Burst and Period must be positive
// (EINVALID otherwise). A refused event is not counted: it uses up nothing.
func (r *RateLimiter) Allow(ctx context.Context, key string, limit storage.Limit) (storage.Decision, error) {
	if limit.Rate <= 0 || limit.Burst <= 0 || limit.Period <= 0 {
		return storage.Decision{}, coach.Errorf(coach.EINVALID,
			"rate limit: rate, burst and period must be positive, got %d/%s burst %d", limit.Rate, limit.Period, limit.Burst)
	}
	// GCRA's state lasts at most one full burst of the period.
	if err := r.index.record(ctx, key, redisRatePrefix+r.prefix+key, limit.Period*time.Duration(limit.Burst)/time.Duration(limit.Rate)+limit.Period); err != nil {
		return storage.Decision{}, err
	}
	res, err := r.limiter.Allow(ctx, r.prefix+key, redis_rate.Limit{Rate: limit.Rate, Burst: limit.Burst, Period: limit.Period})
	if err != nil {
		return storage.Decision{}, formatError("rate limit", err)
	}
	d := storage.Decision{Allowed: res.Allowed > 0, Remaining: max(res.Remaining, 0)}
	if !d.Allowed && res.RetryAfter > 0 {
		d.RetryAfter = res.RetryAfter
	}
	return d, nil
}
