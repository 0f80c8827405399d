package memory

import (
	"context"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Nonces is a storage.Nonces in process memory. It is safe for concurrent use.
type Nonces struct {
	clock coach.Clock
	mu    sync.Mutex
	m     ttlMap[struct{}]
}

var _ storage.Nonces = (*Nonces)(nil)

// NewNonces returns an empty Nonces whose TTLs run on clock (coach.SystemClock{} when nil).
func NewNonces(clock coach.Clock) *Nonces {
	return &Nonces{clock: clockOrSystem(clock), m: newTTLMap[struct{}]()}
}

// Use records nonce for ttl, or gives ECONFLICT if it is already recorded and its ttl has not
// passed. A ttl that is not positive is EINVALID.
func (s *Nonces) Use(ctx context.Context, nonce string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	if ttl <= 0 {
		return coach.Errorf(coach.EINVALID, "nonce: ttl must be positive, got %s", ttl)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if _, ok := s.m.get(nonce, now); ok {
		return coach.Errorf(coach.ECONFLICT, "nonce already used")
	}
	s.m.set(nonce, struct{}{}, now.Add(ttl), now)
	return nil
}
