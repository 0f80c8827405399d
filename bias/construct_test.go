package bias_test

import (
	"context"
	"sync"
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
	bad.RSIBars = -1
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

// recorder is a coach.Metrics that keeps what it was given.
type recorder struct {
	mu     sync.Mutex
	counts map[string]int64
	obs    map[string]int
}

func (r *recorder) key(name string, labels []string) string {
	for _, l := range labels {
		name += "|" + l
	}
	return name
}

func (r *recorder) Count(name string, n int64, labels ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[r.key(name, labels)] += n
}

func (r *recorder) Observe(name string, _ time.Duration, labels ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.obs[r.key(name, labels)]++
}

func TestServiceMetrics(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	var calls []string
	c, user, _ := newService(t, fx, &calls)
	rec := &recorder{counts: map[string]int64{}, obs: map[string]int{}}
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
	if got := rec.counts[coach.MetricTradesScored]; got != int64(rep.Trades) || got == 0 {
		t.Errorf("%s = %d, want %d", coach.MetricTradesScored, got, rep.Trades)
	}
	if got := rec.obs[coach.MetricScoreDuration+"|outcome|ok"]; got != 1 {
		t.Errorf("ok scoring runs observed = %d, want 1", got)
	}
	if got := rec.obs[coach.MetricScoreDuration+"|outcome|"+coach.ENOTFOUND]; got != 1 {
		t.Errorf("not_found scoring runs observed = %d, want 1", got)
	}
}
