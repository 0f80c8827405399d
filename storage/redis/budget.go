package redis

import (
	"context"
	"strconv"
	"time"

	"github.com/pkg/errors"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

var _ storage.WeightBudget = (*WeightBudget)(nil)

// WeightBudget is a storage.WeightBudget shared by every process on the same Redis and prefix.
// A key's state is two strings in one hash slot: Prefix+"budget:{"+key+"}:w:"+window (the weight
// taken in that window, expiring two windows after it is written) and Prefix+"budget:{"+key+"}:pause"
// (the end of a pause in Unix milliseconds). Each operation is one Lua script, so concurrent
// Takes never together pass the limit.
type WeightBudget struct {
	client goredis.UniversalClient
	prefix string
}

func (b *WeightBudget) windowKey(key string, idx int64) string {
	return b.prefix + "{" + key + "}:w:" + strconv.FormatInt(idx, 10)
}

func (b *WeightBudget) pauseKey(key string) string { return b.prefix + "{" + key + "}:pause" }

// takeScript: KEYS[1] window count, KEYS[2] pause end; ARGV cost, limit, now ms, window end ms,
// ttl ms. Answers {granted 0|1, used, wait ms}.
var takeScript = goredis.NewScript(`
local now = tonumber(ARGV[3])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > now then return {0, used, pause - now} end
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then return {0, used, tonumber(ARGV[4]) - now} end
used = redis.call('INCRBY', KEYS[1], cost)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {1, used, 0}
`)

// pauseScript: KEYS[1] pause end; ARGV until ms, ttl ms. A later pause already set stays.
var pauseScript = goredis.NewScript(`
local pause = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > pause then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1
`)

// observeScript: KEYS[1] window count; ARGV used, ttl ms. Raises the count to used.
var observeScript = goredis.NewScript(`
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > used then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1
`)

// Take takes cost from key's budget in the window of now unless that would pass limit.Weight or
// key is paused.
func (b *WeightBudget) Take(ctx context.Context, key string, cost int, now time.Time, limit storage.WeightLimit) (storage.WeightGrant, error) {
	if err := limit.Validate(); err != nil {
		return storage.WeightGrant{}, err
	}
	if cost <= 0 || cost > limit.Weight {
		return storage.WeightGrant{}, coach.Errorf(coach.EINVALID, "weight budget: cost must be in 1..%d, got %d", limit.Weight, cost)
	}
	idx, end := storage.WeightWindow(now, limit)
	res, err := takeScript.Run(ctx, b.client, []string{b.windowKey(key, idx), b.pauseKey(key)},
		cost, limit.Weight, now.UnixMilli(), end.UnixMilli(), 2*limit.Window.Milliseconds()).Int64Slice()
	if err != nil {
		return storage.WeightGrant{}, formatError("weight budget take", err)
	}
	if len(res) != 3 {
		return storage.WeightGrant{}, errors.Errorf("redis: weight budget take: %d values in the answer, want 3", len(res))
	}
	return storage.WeightGrant{Granted: res[0] == 1, Used: int(res[1]), Wait: time.Duration(res[2]) * time.Millisecond}, nil
}

// Pause refuses Takes on key while now is before until, keeping a later pause already set. The
// record expires at until by Redis's clock, or a minute from now if that has passed.
func (b *WeightBudget) Pause(ctx context.Context, key string, until time.Time) error {
	ttl := max(time.Until(until), time.Minute)
	return formatError("weight budget pause", pauseScript.Run(ctx, b.client, []string{b.pauseKey(key)},
		until.UnixMilli(), ttl.Milliseconds()).Err())
}

// Observe raises the weight taken in the window of now to used when it is lower.
func (b *WeightBudget) Observe(ctx context.Context, key string, used int, now time.Time, limit storage.WeightLimit) error {
	if err := limit.Validate(); err != nil {
		return err
	}
	if used < 0 {
		return coach.Errorf(coach.EINVALID, "weight budget: used must not be negative, got %d", used)
	}
	idx, _ := storage.WeightWindow(now, limit)
	return formatError("weight budget observe", observeScript.Run(ctx, b.client, []string{b.windowKey(key, idx)},
		used, 2*limit.Window.Milliseconds()).Err())
}
