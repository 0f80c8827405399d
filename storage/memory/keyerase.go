package memory

import (
	"context"
	"strings"
	"time"

	"github.com/tradecoach/coach/storage"
)

var (
	_ storage.KeyEraser = (*Cache)(nil)
	_ storage.KeyEraser = (*Idempotency)(nil)
	_ storage.KeyEraser = (*RateLimiter)(nil)
	_ storage.KeyEraser = (*Leases)(nil)
)

// eraseUser removes every entry of a key made by storage.UserKey for userID and returns how many
// of them were live at now (expired ones go too, uncounted, as in Redis).
func (t *ttlMap[V]) eraseUser(userID string, now time.Time) int {
	prefix := storage.UserKeyPrefix(userID)
	n := 0
	for k, e := range t.m {
		if strings.HasPrefix(k, prefix) {
			if now.Before(e.expires) {
				n++
			}
			delete(t.m, k)
		}
	}
	return n
}

// EraseUser removes the user's cached values (storage.KeyEraser).
func (c *Cache) EraseUser(ctx context.Context, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, ctxError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m.eraseUser(userID, clockOrSystem(c.clock).Now()), nil
}

// EraseUser removes the user's idempotency records (storage.KeyEraser).
func (s *Idempotency) EraseUser(ctx context.Context, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, ctxError(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.eraseUser(userID, clockOrSystem(s.clock).Now()), nil
}

// EraseUser removes the user's rate-limit state (storage.KeyEraser).
func (l *RateLimiter) EraseUser(ctx context.Context, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, ctxError(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m.eraseUser(userID, clockOrSystem(l.clock).Now()), nil
}

// EraseUser removes the user's leases (storage.KeyEraser).
func (l *Leases) EraseUser(ctx context.Context, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, ctxError(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m.m == nil {
		return 0, nil
	}
	return l.m.eraseUser(userID, clockOrSystem(l.clock).Now()), nil
}
