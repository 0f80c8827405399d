package coinbase_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/internal/canceltest"
	"github.com/tradecoach/coach/internal/wire"
)

// TestContextEndedIsCanceled checks that a call whose context ends — before it starts, past its
// deadline, during a request or during a backoff sleep — is ECANCELED with the context's error
// reachable by errors.Is, never EUNAVAILABLE.
func TestContextEndedIsCanceled(t *testing.T) {
	t.Parallel()
	calls := []struct {
		name string
		call func(ctx context.Context, h *harness) error
	}{
		{"Fills", func(ctx context.Context, h *harness) error {
			return h.client.Fills(ctx, broker.FillsRequest{From: h.from, To: h.to}, func(broker.FillPage) error { return nil })
		}},
		{"Candles", func(ctx context.Context, h *harness) error {
			_, err := h.client.Candles(ctx, "BTC-USD", coach.Hour1, h.from, h.from.Add(24*time.Hour))
			return err
		}},
		{"ServerTime", func(ctx context.Context, h *harness) error { _, err := h.client.ServerTime(ctx); return err }},
		{"refresh", func(ctx context.Context, h *harness) error {
			h.clock.Advance(48 * time.Hour) // the access token expired: the first call refreshes it
			return h.client.Fills(ctx, broker.FillsRequest{From: h.from, To: h.to}, func(broker.FillPage) error { return nil })
		}},
	}
	ends := canceltest.Ends()
	for _, c := range calls {
		for _, e := range ends {
			t.Run(c.name+"/"+e.Name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t, 10, nil)
				ctx, cancel := e.Context()
				defer cancel()
				canceltest.Want(t, c.call(ctx, h), e.Target)
			})
		}
	}
	t.Run("during backoff sleep", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		h := newHarness(t, 10, func(c *coinbase.Config) {
			// The real sleep, cancelled while it waits.
			c.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return wire.Sleep(ctx, time.Hour) }
		})
		h.fake.FailNext(1, http.StatusServiceUnavailable, `{"error":"unavailable"}`)
		_, err := h.client.ServerTime(ctx)
		canceltest.Want(t, err, context.Canceled)
	})
	t.Run("during a request", func(t *testing.T) {
		t.Parallel()
		arrived := make(chan struct{})
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-r.Context().Done()
		}))
		defer hang.Close()
		h := newHarness(t, 10, func(c *coinbase.Config) { c.BaseURL = hang.URL })
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		_, err := h.client.ServerTime(ctx)
		canceltest.Want(t, err, context.Canceled)
	})
}
