package broker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
)

// TestFallbackContextEndedIsCanceled checks that market data asked with a cancelled or expired
// context is ECANCELED with the context's error reachable by errors.Is — not EUNAVAILABLE, and
// without passing to the next source — also when the first source gave up because of it.
func TestFallbackContextEndedIsCanceled(t *testing.T) {
	t.Parallel()
	good := &MarketData{CandlesFunc: synthSource()}
	// A source that, like many clients, reports the ended context as an outage.
	blamesOutage := &MarketData{CandlesFunc: func(ctx context.Context, _ coach.Symbol, _ coach.Interval, _, _ time.Time) ([]coach.Candle, error) {
		if ctx.Err() != nil {
			return nil, coach.Errorf(coach.EUNAVAILABLE, "source down")
		}
		return nil, nil
	}}
	for _, e := range []struct {
		name   string
		ctx    func() (context.Context, context.CancelFunc)
		target error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		}, context.DeadlineExceeded},
	} {
		for _, chain := range []struct {
			name    string
			sources []broker.MarketData
		}{
			{"good source", []broker.MarketData{good}},
			{"two sources", []broker.MarketData{blamesOutage, good}},
		} {
			t.Run(e.name+"/"+chain.name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := e.ctx()
				defer cancel()
				_, err := broker.Fallback(chain.sources...).CandlesFrom(ctx, "BTC-USDT", coach.Minute1, t0, t0.Add(5*time.Minute))
				if code := coach.ErrorCode(err); code != coach.ECANCELED {
					t.Errorf("code %q (%v), want canceled", code, err)
				}
				if !errors.Is(err, e.target) {
					t.Errorf("errors.Is(%v, %v) = false", err, e.target)
				}
			})
		}
	}
}
