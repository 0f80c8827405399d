package storage

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// WeightLimit is a weight budget: at most Weight units in each fixed Window. Windows are aligned
// on the Unix epoch (a one-minute Window is a calendar minute, as Binance counts request weight).
type WeightLimit struct {
	Weight int
	Window time.Duration
}

// Validate reports a limit that cannot be applied: Weight and Window must be positive, and
// Window a whole number of milliseconds.
func (l WeightLimit) Validate() error {
	if l.Weight <= 0 || l.Window <= 0 || l.Window%time.Millisecond != 0 {
		return coach.Errorf(coach.EINVALID, "weight budget: weight and window (whole milliseconds) must be positive, got %d per %s", l.Weight, l.Window)
	}
	return nil
}

// WeightGrant is the verdict of WeightBudget.Take.
type WeightGrant struct {
	// Granted says whether the cost was taken from the budget.
	Granted bool
	// Used is the weight taken in the window of now, this cost included when granted.
	Used int
	// Wait is how long to wait before asking again when not granted: until the next window, or
	// until a pause ends. It is 0 when granted.
	Wait time.Duration
}

// WeightBudget shares a weight budget among every process that uses the same key: the request
// weight an exchange allows one IP per minute, drawn from by every worker behind that IP. Times
// are the caller's (now, until), so that every user of a key must read the same clock (the
// exchange's, as each worker knows it); adapters compare them and keep no clock of their own.
type WeightBudget interface {
	// Take takes cost from key's budget in the window of now when the window's total stays within
	// limit.Weight and key is not paused; otherwise it takes nothing and says how long to wait.
	// Concurrent Takes on one key never together pass limit.Weight in a window. A cost that is not
	// positive or exceeds limit.Weight, or an invalid limit, is EINVALID.
	Take(ctx context.Context, key string, cost int, now time.Time, limit WeightLimit) (WeightGrant, error)

	// Pause refuses every Take on key while now is before until (an exchange's 429 or 418 with
	// Retry-After stops every worker, not only the one that got it). A pause already set that ends
	// later stays.
	Pause(ctx context.Context, key string, until time.Time) error

	// Observe raises the weight taken in the window of now to used when it is lower, so that
	// weight the exchange reports (X-MBX-USED-WEIGHT-1M), spent by calls this budget did not see,
	// is counted. A negative used or an invalid limit is EINVALID.
	Observe(ctx context.Context, key string, used int, now time.Time, limit WeightLimit) error
}

// WeightWindow returns the index of the window of limit that now falls in and when it ends.
// Adapters share it so that they agree on window boundaries.
func WeightWindow(now time.Time, limit WeightLimit) (index int64, end time.Time) {
	w := limit.Window.Milliseconds()
	ms := now.UnixMilli()
	index = ms / w
	if ms < 0 && ms%w != 0 {
		index--
	}
	return index, time.UnixMilli((index + 1) * w).UTC()
}
