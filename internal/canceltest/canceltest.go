// Package canceltest holds what every adapter's "an ended context is canceled" test needs: the
// two ways a caller's context ends, and the check that an error says so.
package canceltest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

// End is one way a caller's context has ended before a call, with the error errors.Is must find
// in what the call returns.
type End struct {
	Name    string
	Context func() (context.Context, context.CancelFunc)
	Target  error
}

// Ends returns a context cancelled before the call and one past its deadline.
func Ends() []End {
	return []End{
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		}, context.DeadlineExceeded},
	}
}

// Want fails the test unless err is ECANCELED and target is reachable by errors.Is.
func Want(t testing.TB, err, target error) {
	t.Helper()
	if code := coach.ErrorCode(err); code != coach.ECANCELED {
		t.Errorf("code %q (%v), want canceled", code, err)
	}
	if !errors.Is(err, target) {
		t.Errorf("errors.Is(%v, %v) = false", err, target)
	}
}
