package broker_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/internal/canceltest"
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
	for _, e := range canceltest.Ends() {
		for _, chain := range []struct {
			name    string
			sources []broker.MarketData
		}{
			{"good source", []broker.MarketData{good}},
			{"two sources", []broker.MarketData{blamesOutage, good}},
		} {
			t.Run(e.Name+"/"+chain.name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := e.Context()
				defer cancel()
				_, err := broker.Fallback(chain.sources...).CandlesFrom(ctx, "BTC-USDT", coach.Minute1, t0, t0.Add(5*time.Minute))
				canceltest.Want(t, err, e.Target)
			})
		}
	}
}
