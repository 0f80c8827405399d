package binance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/internal/canceltest"
	"github.com/tradecoach/coach/internal/wire"
)

// TestContextEndedIsCanceled checks that a call whose context ends — before it starts, past its
// deadline, during a request, during a backoff sleep or while waiting for request weight — is
// ECANCELED with the context's error reachable by errors.Is, never EUNAVAILABLE.
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
			_, err := h.client.Candles(ctx, h.syms[0], coach.Hour1, h.from, h.from.Add(24*time.Hour))
			return err
		}},
		{"SyncClock", func(ctx context.Context, h *harness) error { return h.client.SyncClock(ctx) }},
		{"DiscoverSymbols", func(ctx context.Context, h *harness) error { _, err := h.client.DiscoverSymbols(ctx); return err }},
	}
	ends := canceltest.Ends()
	for _, c := range calls {
		for _, e := range ends {
			t.Run(c.name+"/"+e.Name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t, 10, nil, nil)
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
		h := newHarness(t, 10, nil, func(c *binance.Config) {
			// The real sleep, cancelled while it waits.
			c.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return wire.Sleep(ctx, time.Hour) }
		})
		h.fake.FailNext(1, http.StatusServiceUnavailable, `{"code":-1001,"msg":"Internal error"}`)
		canceltest.Want(t, h.client.SyncClock(ctx), context.Canceled)
	})
	t.Run("waiting for weight", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		slept := false
		h := newHarness(t, 10, nil, func(c *binance.Config) {
			c.WeightLimit, c.SlowdownAt = 100, 0.01 // a weight of 1 a minute: the second request waits
			c.Sleep = func(ctx context.Context, d time.Duration) error {
				slept = true
				cancel()
				return wire.Sleep(ctx, time.Hour)
			}
		})
		if err := h.client.SyncClock(context.Background()); err != nil {
			t.Fatal(err)
		}
		canceltest.Want(t, h.client.SyncClock(ctx), context.Canceled)
		if !slept {
			t.Error("the client did not wait for weight")
		}
	})
	t.Run("during a request", func(t *testing.T) {
		t.Parallel()
		arrived := make(chan struct{})
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-r.Context().Done()
		}))
		defer hang.Close()
		h := newHarness(t, 10, nil, func(c *binance.Config) { c.BaseURL = hang.URL })
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		canceltest.Want(t, h.client.SyncClock(ctx), context.Canceled)
	})
}
