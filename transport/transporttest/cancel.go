package transporttest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// contextEnd is one way a caller's context ends, with the error errors.Is must find.
type contextEnd struct {
	name   string
	ctx    func() (context.Context, context.CancelFunc)
	target error
}

// contextEnds are a cancelled context and one past its deadline.
var contextEnds = []contextEnd{
	{"Cancelled", func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx, cancel
	}, context.Canceled},
	{"Deadline", func() (context.Context, context.CancelFunc) {
		return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	}, context.DeadlineExceeded},
}

// runContextEnded runs call with each kind of ended context and checks that it is ECANCELED and
// wraps the context's error.
func runContextEnded(t *testing.T, what string, call func(ctx context.Context) error) {
	t.Helper()
	for _, e := range contextEnds {
		ctx, cancel := e.ctx()
		err := call(ctx)
		cancel()
		if code := coach.ErrorCode(err); code != coach.ECANCELED {
			t.Errorf("%s with a %s context: code %q (%v), want canceled", what, e.name, code, err)
		}
		if !errors.Is(err, e.target) {
			t.Errorf("%s with a %s context: errors.Is(%v, %v) = false", what, e.name, err, e.target)
		}
	}
}

// busContextEnded checks Publish and Subscribe with an ended context: ECANCELED.
func busContextEnded(t *testing.T, bus transport.Bus) {
	user := randomUser()
	runContextEnded(t, "Publish", func(ctx context.Context) error { return bus.Publish(ctx, event(user, 1)) })
	runContextEnded(t, "Subscribe", func(ctx context.Context) error {
		s, err := bus.Subscribe(ctx, user)
		if s != nil {
			_ = s.Close()
		}
		return err
	})
}
