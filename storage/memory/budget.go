package memory

import (
	"context"
	"sync"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// WeightBudget is a storage.WeightBudget in process memory, for the workers of one process. It
// keeps, per key, the current window's weight and the end of a pause. It is safe for concurrent
// use.
type WeightBudget struct {
	mu   sync.Mutex
	keys map[string]*budgetState
}

type budgetState struct {
	window int64 // index of the window used counts
	used   int
	until  time.Time // paused while now is before until
}

var _ storage.WeightBudget = (*WeightBudget)(nil)

// NewWeightBudget returns a WeightBudget that knows no keys.
func NewWeightBudget() *WeightBudget { return &WeightBudget{keys: map[string]*budgetState{}} }

// state returns key's state with used reset when now is in a later window. Callers hold mu.
func (b *WeightBudget) state(key string, idx int64) *budgetState {
	if b.keys == nil {
		b.keys = map[string]*budgetState{}
	}
	s := b.keys[key]
	if s == nil {
		s = &budgetState{window: idx}
		b.keys[key] = s
	}
	if idx > s.window {
		s.window, s.used = idx, 0
	}
	return s
}

// Take takes cost from key's budget in the window of now unless that would pass limit.Weight or
// key is paused.
func (b *WeightBudget) Take(ctx context.Context, key string, cost int, now time.Time, limit storage.WeightLimit) (storage.WeightGrant, error) {
	if err := ctx.Err(); err != nil {
		return storage.WeightGrant{}, ctxError(err)
	}
	if err := limit.Validate(); err != nil {
		return storage.WeightGrant{}, err
	}
	if cost <= 0 || cost > limit.Weight {
		return storage.WeightGrant{}, coach.Errorf(coach.EINVALID, "weight budget: cost must be in 1..%d, got %d", limit.Weight, cost)
	}
	idx, end := storage.WeightWindow(now, limit)
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.state(key, idx)
	used := 0
	if idx == s.window {
		used = s.used
	}
	switch {
	case now.Before(s.until):
		return storage.WeightGrant{Used: used, Wait: s.until.Sub(now)}, nil
	case idx < s.window:
		// A caller whose clock lags another's: its window is over for the budget.
		return storage.WeightGrant{Used: s.used, Wait: end.Sub(now)}, nil
	case used+cost > limit.Weight:
		return storage.WeightGrant{Used: used, Wait: end.Sub(now)}, nil
	}
	s.used += cost
	return storage.WeightGrant{Granted: true, Used: s.used}, nil
}

// Pause refuses Takes on key while now is before until, keeping a later pause already set.
func (b *WeightBudget) Pause(ctx context.Context, key string, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		b.keys = map[string]*budgetState{}
	}
	s := b.keys[key]
	if s == nil {
		s = &budgetState{}
		b.keys[key] = s
	}
	if until.After(s.until) {
		s.until = until
	}
	return nil
}

// Observe raises the weight taken in the window of now to used when it is lower.
func (b *WeightBudget) Observe(ctx context.Context, key string, used int, now time.Time, limit storage.WeightLimit) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	if err := limit.Validate(); err != nil {
		return err
	}
	if used < 0 {
		return coach.Errorf(coach.EINVALID, "weight budget: used must not be negative, got %d", used)
	}
	idx, _ := storage.WeightWindow(now, limit)
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.state(key, idx)
	if idx == s.window && used > s.used {
		s.used = used
	}
	return nil
}
