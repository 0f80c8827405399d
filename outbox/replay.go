package outbox

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Replay pages through the user's events after sinceID, calling emit for each in id order, and
// returns the last id emitted (sinceID if none). It pages until the store has nothing more (an
// empty page, or one with nothing after the last id emitted), so a store that returns short pages
// still gives the whole history. It stops at the first error; a sinceID older than retention
// gives EGONE before anything is emitted, so a client is told to reload rather than given a
// partial history.
func Replay(ctx context.Context, events storage.Events, userID, sinceID string, pageSize int, emit func(coach.Event) error) (string, error) {
	last := sinceID
	for {
		page, err := events.Since(ctx, userID, last, pageSize)
		if err != nil {
			return last, err
		}
		progressed := false
		for _, e := range page {
			if last != "" && e.ID <= last {
				continue // a store repeating itself
			}
			if err := emit(e); err != nil {
				return last, err
			}
			last, progressed = e.ID, true
		}
		if !progressed {
			return last, nil
		}
	}
}

// DefaultRetention is how long events are kept (the seed's 90 days).
const DefaultRetention = 90 * 24 * time.Hour

// Retention prunes events older than Keep. A Keep of zero or less is refused rather than taken
// as "keep nothing", so a misconfiguration can never drop every event.
type Retention struct {
	Events storage.Events
	Keep   time.Duration
}

// Run prunes events older than now − Keep and returns how many were dropped.
func (r Retention) Run(ctx context.Context, now time.Time) (int, error) {
	if r.Keep <= 0 {
		return 0, coach.Errorf(coach.EINVALID, "outbox retention: keep must be positive, got %s", r.Keep)
	}
	return r.Events.Prune(ctx, now.Add(-r.Keep))
}
