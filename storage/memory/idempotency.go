package memory

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Idempotency is a storage.Idempotency in process memory. It is safe for concurrent use.
type Idempotency struct {
	clock coach.Clock
	mu    sync.Mutex
	m     ttlMap[idemRecord]
}

type idemRecord struct {
	hash     string
	done     bool
	response []byte
}

var _ storage.Idempotency = (*Idempotency)(nil)

// NewIdempotency returns an empty Idempotency whose TTLs run on clock (coach.SystemClock{} when
// nil).
func NewIdempotency(clock coach.Clock) *Idempotency {
	return &Idempotency{clock: clockOrSystem(clock), m: newTTLMap[idemRecord]()}
}

// Claim claims a free key for ttl. A live key with another requestHash is EINVALID, whether in
// flight or done; with the same hash it is ECONFLICT in flight and IdemDone with a copy of the
// response once completed.
func (s *Idempotency) Claim(ctx context.Context, key, requestHash string, ttl time.Duration) (storage.IdemRecord, error) {
	if err := ctx.Err(); err != nil {
		return storage.IdemRecord{}, ctxError(err)
	}
	if ttl <= 0 {
		return storage.IdemRecord{}, coach.Errorf(coach.EINVALID, "idempotency: ttl must be positive, got %s", ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if rec, ok := s.m.get(key, now); ok {
		switch {
		case rec.hash != requestHash:
			return storage.IdemRecord{}, coach.Errorf(coach.EINVALID, "idempotency key reused for a different request")
		case rec.done:
			return storage.IdemRecord{State: storage.IdemDone, Response: bytes.Clone(rec.response)}, nil
		default:
			return storage.IdemRecord{}, coach.Errorf(coach.ECONFLICT, "a request with this idempotency key is in progress")
		}
	}
	s.m.set(key, idemRecord{hash: requestHash}, now.Add(ttl), now)
	return storage.IdemRecord{State: storage.IdemClaimed}, nil
}

// Complete stores a copy of response for a claimed key and keeps it for ttl. ENOTFOUND if the
// key is not claimed (absent, expired, released or already completed).
func (s *Idempotency) Complete(ctx context.Context, key string, response []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	if ttl <= 0 {
		return coach.Errorf(coach.EINVALID, "idempotency: ttl must be positive, got %s", ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	rec, ok := s.m.get(key, now)
	if !ok || rec.done {
		return coach.Errorf(coach.ENOTFOUND, "idempotency key is not claimed")
	}
	rec.done, rec.response = true, bytes.Clone(response)
	s.m.set(key, rec, now.Add(ttl), now)
	return nil
}

// Release frees a claimed key. A completed key keeps its response; an absent key is not an
// error.
func (s *Idempotency) Release(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.m.get(key, s.clock.Now()); ok && !rec.done {
		s.m.del(key)
	}
	return nil
}
