package sim_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage/memory"
)

func TestConstructors(t *testing.T) {
	t.Parallel()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	src := &CandleSource{}
	for _, tc := range []struct {
		field string
		cfg   sim.ServiceConfig
	}{
		{"ServiceConfig.Store", sim.ServiceConfig{Candles: src}},
		{"ServiceConfig.Candles", sim.ServiceConfig{Store: store}},
		{"ServiceConfig.TTL", sim.ServiceConfig{Store: store, Candles: src, TTL: -time.Second}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			svc, err := sim.New(tc.cfg)
			servicetest.RefusesField(t, err, tc.field)
			if svc != nil {
				t.Error("New returned a service with its error")
			}
		})
	}
	if _, err := sim.New(sim.ServiceConfig{Store: store, Candles: src}); err != nil {
		t.Errorf("New with the required fields: %v", err)
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*sim.Service)(nil)})
}
