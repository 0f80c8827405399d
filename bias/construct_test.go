package bias_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage/memory"
)

func TestConstructors(t *testing.T) {
	t.Parallel()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	src := &CandleSource{}
	bad := bias.DefaultConfig()
	bad.RSIWindow = -1
	for _, tc := range []struct {
		field string
		cfg   bias.ServiceConfig
	}{
		{"ServiceConfig.Store", bias.ServiceConfig{Candles: src}},
		{"ServiceConfig.Candles", bias.ServiceConfig{Store: store}},
		{"ServiceConfig.Config", bias.ServiceConfig{Store: store, Candles: src, Config: bad}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			svc, err := bias.New(tc.cfg)
			servicetest.RefusesField(t, err, tc.field)
			if svc != nil {
				t.Error("New returned a service with its error")
			}
		})
	}
	if _, err := bias.New(bias.ServiceConfig{Store: store, Candles: src}); err != nil {
		t.Errorf("New with the required fields: %v", err)
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*bias.Service)(nil)})
}

func TestServiceMetrics(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	var calls []string
	c, user, _ := newService(t, fx, &calls)
	rec := &servicetest.Metrics{}
	c.Metrics = rec
	svc, err := bias.New(c.ServiceConfig)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.ScoreUser(context.Background(), user, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ScoreUser(context.Background(), "nobody", time.Time{}, time.Time{}); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Fatalf("unknown user: %v", err)
	}
	if got := rec.Counted(coach.MetricTradesScored); got != int64(rep.Trades) || got == 0 {
		t.Errorf("%s = %d, want %d", coach.MetricTradesScored, got, rep.Trades)
	}
	if got := rec.Observed(coach.MetricScoreDuration, "outcome", "ok"); got != 1 {
		t.Errorf("ok scoring runs observed = %d, want 1", got)
	}
	if got := rec.Observed(coach.MetricScoreDuration, "outcome", string(coach.ENOTFOUND)); got != 1 {
		t.Errorf("not_found scoring runs observed = %d, want 1", got)
	}
}
