package ws_test

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/canceltest"
	"github.com/tradecoach/coach/transport/ws"
)

// TestClientContextEndedIsCanceled checks that Run ends with ECANCELED, wrapping the context's
// error, however the context ends: already cancelled, past its deadline, while connected to a
// relay, or while backing off from a relay that cannot be reached.
func TestClientContextEndedIsCanceled(t *testing.T) {
	t.Parallel()
	id := ids(1)
	relay := httptest.NewServer(&fakeRelay{t: t}) // holds every connection open
	defer relay.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := "ws://" + l.Addr().String()
	l.Close() // nothing listens there any more
	for _, tc := range []struct {
		name   string
		url    string
		ctx    func() (context.Context, context.CancelFunc)
		target error
	}{
		{"cancelled", relay.URL, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
		{"deadline", relay.URL, func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		}, context.DeadlineExceeded},
		{"deadline while connected", relay.URL, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, context.DeadlineExceeded},
		{"deadline while backing off", unreachable, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cl := newClient(t, ws.ClientConfig{URL: tc.url, LastEventID: id[0]})
			ctx, cancel := tc.ctx()
			defer cancel()
			err := cl.Run(ctx, newCollector().handle)
			canceltest.Want(t, err, tc.target)
		})
	}
	t.Run("cancelled while connected", func(t *testing.T) {
		t.Parallel()
		r := run(newClient(t, ws.ClientConfig{URL: relay.URL, LastEventID: id[0]}), newCollector().handle)
		r.cancel()
		err := r.wait(t)
		if coach.ErrorCode(err) != coach.ECANCELED || !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v (code %q), want canceled wrapping context.Canceled", err, coach.ErrorCode(err))
		}
	})
}
