package ws

import (
	"context"

	"github.com/tradecoach/coach"
)

// Replayer reads a user's stored events for a resuming client. storage.Events satisfies it; the
// edge of refhost implements it over the core's /events API.
type Replayer interface {
	// Since returns the user's events with id > afterID in id order, at most limit of them (fewer
	// is fine: the relay pages until a page brings nothing after the last id it sent). It gives
	// EGONE when afterID is older than retention, so the client reloads instead of getting a
	// partial history.
	Since(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error)

	// Newest returns the id of the user's newest retained committed event, or ENOTFOUND when
	// there is none. The relay refuses a lastEventId beyond it (no client can have seen such an
	// id, and live events up to it would be dropped as repeats), and gives a fresh connection it
	// as its resume cursor.
	Newest(ctx context.Context, userID string) (string, error)
}

// ReplayerFuncs is a Replayer made of functions, e.g. to wrap a store's in a test. Both are
// required.
type ReplayerFuncs struct {
	SinceFunc  func(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error)
	NewestFunc func(ctx context.Context, userID string) (string, error)
}

// Since calls SinceFunc.
func (f ReplayerFuncs) Since(ctx context.Context, userID, afterID string, limit int) ([]coach.Event, error) {
	return f.SinceFunc(ctx, userID, afterID, limit)
}

// Newest calls NewestFunc.
func (f ReplayerFuncs) Newest(ctx context.Context, userID string) (string, error) {
	return f.NewestFunc(ctx, userID)
}
