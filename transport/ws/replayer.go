package ws

import (
	"context"

	"github.com/tradecoach/coach"
)

// Replayer reads a user's stored events for a resuming client. storage.Events satisfies it; the
// edge of refhost implements it over the core's /events?since= API.
type Replayer interface {
	// Since returns the user's events with id > afterID in id order, at most limit of them (fewer
	// is fine: the relay pages until a page brings nothing after the last id it sent). It gives
	// EGONE when afterID is older than retention, so the client reloads instead of getting a
	// partial history.
	Since(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error)
}

// ReplayerFunc is a Replayer made of a function.
type ReplayerFunc func(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error)

// Since calls f.
func (f ReplayerFunc) Since(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error) {
	return f(ctx, userID, afterID, limit)
}
