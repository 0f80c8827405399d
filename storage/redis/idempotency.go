package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

var _ storage.Idempotency = (*Idempotency)(nil)

// Idempotency is a storage.Idempotency. Each record is one Redis hash under
// Prefix+"idem:"+key with fields s (state: "claimed" or "done"), h (the request hash) and r (the
// stored response), expiring with the TTL of its last Claim or Complete. Claim, Complete and
// Release are Lua scripts, so each is atomic with respect to the others.
//
// The port has no claim token, so a caller whose claim expired and was taken over by a retry can
// still Complete or Release the retry's claim; keep claim TTLs longer than the work they cover.
type Idempotency struct {
	client goredis.UniversalClient
	prefix string
	index  userIndex
}

// Record states as stored in the hash field s.
const (
	idemClaimed = "claimed"
	idemDone    = "done"
)

// claimScript claims KEYS[1] for request hash ARGV[1] for ARGV[2] milliseconds. It answers
// {"claimed"} for a free key, {"mismatch"} for a different request hash, {"busy"} for a key
// still in flight and {"done", response} for a completed one.
var claimScript = goredis.NewScript(`
local rec = redis.call('HMGET', KEYS[1], 's', 'h', 'r')
if not rec[1] then
  redis.call('HSET', KEYS[1], 's', 'claimed', 'h', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'claimed'}
end
if rec[2] ~= ARGV[1] then
  return {'mismatch'}
end
if rec[1] == 'claimed' then
  return {'busy'}
end
return {'done', rec[3] or ''}
`)

// completeScript stores response ARGV[1] in the claimed record KEYS[1] and keeps it for ARGV[2]
// milliseconds. It answers 1, or 0 when the record is not claimed.
var completeScript = goredis.NewScript(`
if redis.call('HGET', KEYS[1], 's') ~= 'claimed' then
  return 0
end
redis.call('HSET', KEYS[1], 's', 'done', 'r', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)

// releaseScript deletes the record KEYS[1] if it is claimed; a completed record stays.
var releaseScript = goredis.NewScript(`
if redis.call('HGET', KEYS[1], 's') == 'claimed' then
  redis.call('DEL', KEYS[1])
end
return 0
`)

// Claim atomically claims key for requestHash for ttl: IdemClaimed for a free key, IdemDone
// with the stored response for a completed one, ECONFLICT while the key is in flight and
// EINVALID when the key was used with a different requestHash (in flight or done).
func (i *Idempotency) Claim(ctx context.Context, key, requestHash string, ttl time.Duration) (storage.IdemRecord, error) {
	if err := validIdem(key, ttl); err != nil {
		return storage.IdemRecord{}, err
	}
	if requestHash == "" {
		return storage.IdemRecord{}, coach.Errorf(coach.EINVALID, "idempotency: empty request hash")
	}
	if err := i.index.record(ctx, key, i.prefix+key, ttl); err != nil {
		return storage.IdemRecord{}, err
	}
	res, err := claimScript.Run(ctx, i.client, []string{i.prefix + key}, requestHash, millis(ttl)).Slice()
	if err != nil {
		return storage.IdemRecord{}, formatError("idempotency claim", err)
	}
	state, _ := res[0].(string)
	switch state {
	case idemClaimed:
		return storage.IdemRecord{State: storage.IdemClaimed}, nil
	case "busy":
		return storage.IdemRecord{}, coach.Errorf(coach.ECONFLICT, "idempotency: request with key %q is still in progress", key)
	case "mismatch":
		return storage.IdemRecord{}, coach.Errorf(coach.EINVALID, "idempotency: key %q was used for a different request", key)
	case idemDone:
		resp, _ := res[1].(string)
		return storage.IdemRecord{State: storage.IdemDone, Response: []byte(resp)}, nil
	}
	return storage.IdemRecord{}, formatError("idempotency claim", fmt.Errorf("unexpected script reply %v", res))
}

// Complete stores response for the claimed key and keeps it for ttl; ENOTFOUND if the key is not
// claimed (absent, expired, released or already completed).
func (i *Idempotency) Complete(ctx context.Context, key string, response []byte, ttl time.Duration) error {
	if err := validIdem(key, ttl); err != nil {
		return err
	}
	if response == nil {
		response = []byte{}
	}
	if err := i.index.record(ctx, key, i.prefix+key, ttl); err != nil {
		return err
	}
	ok, err := completeScript.Run(ctx, i.client, []string{i.prefix + key}, response, millis(ttl)).Int()
	if err != nil {
		return formatError("idempotency complete", err)
	}
	if ok != 1 {
		return coach.Errorf(coach.ENOTFOUND, "idempotency: key %q is not claimed", key)
	}
	return nil
}

// Release frees a claimed key so that a retry can claim it again. Releasing a free key is not an
// error, and a completed key stays completed.
func (i *Idempotency) Release(ctx context.Context, key string) error {
	if key == "" {
		return coach.Errorf(coach.EINVALID, "idempotency: empty key")
	}
	return formatError("idempotency release", releaseScript.Run(ctx, i.client, []string{i.prefix + key}).Err())
}

func validIdem(key string, ttl time.Duration) error {
	if key == "" {
		return coach.Errorf(coach.EINVALID, "idempotency: empty key")
	}
	if ttl <= 0 {
		return coach.Errorf(coach.EINVALID, "idempotency: ttl must be positive, got %s", ttl)
	}
	return nil
}

// millis is ttl in whole milliseconds, at least 1, for PEXPIRE.
func millis(ttl time.Duration) int64 {
	return atLeastMillisecond(ttl).Milliseconds()
}
