package memory

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// RateLimiter is a storage.RateLimiter in process memory applying GCRA with the semantics of
// go-redis/redis_rate's Allow: a key's theoretical arrival time (TAT) advances by Period/Rate per
// allowed event, and an event is allowed while the TAT stays within Burst emission intervals of
// now. It is safe for concurrent use.
type RateLimiter struct {
	clock coach.Clock
	mu    sync.Mutex
	m     ttlMap[time.Time] // key → TAT; an entry expires when its TAT has passed
}

var _ storage.RateLimiter = (*RateLimiter)(nil)

// NewRateLimiter returns a RateLimiter that knows no keys and runs on clock
// (coach.SystemClock{} when nil).
func NewRateLimiter(clock coach.Clock) *RateLimiter {
	return &RateLimiter{clock: clockOrSystem(clock), m: newTTLMap[time.Time]()}
}

// Allow counts one event for key under limit. Allowed events report how many more fit now;
// denied ones report how long until the next would fit. EINVALID for an invalid limit.
func (l *RateLimiter) Allow(ctx context.Context, key string, limit storage.Limit) (storage.Decision, error) {
	if err := ctx.Err(); err != nil {
		return storage.Decision{}, ctxError(err)
	}
	if err := limit.Validate(); err != nil {
		return storage.Decision{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	emission := float64(limit.Period) / float64(limit.Rate) // nanoseconds
	tat, ok := l.m.get(key, now)
	if !ok || tat.Before(now) {
		tat = now
	}
	newTAT := tat.Add(time.Duration(emission))
	allowAt := newTAT.Add(-time.Duration(emission * float64(limit.Burst)))
	d := now.Sub(allowAt)
	if d < 0 {
		return storage.Decision{Allowed: false, Remaining: 0, RetryAfter: -d}, nil
	}
	l.m.set(key, newTAT, newTAT, now)
	return storage.Decision{Allowed: true, Remaining: int(math.Floor(float64(d) / emission))}, nil
}
