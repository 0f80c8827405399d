package rules_test

import (
	"testing"

	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/storage/memory"
)

func TestConstructors(t *testing.T) {
	t.Parallel()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	for _, tc := range []struct {
		field string
		cfg   rules.ServiceConfig
	}{
		{"ServiceConfig.Store", rules.ServiceConfig{}},
		{"ServiceConfig.Interval", rules.ServiceConfig{Store: store, Interval: "7m"}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			svc, err := rules.New(tc.cfg)
			servicetest.RefusesField(t, err, tc.field)
			if svc != nil {
				t.Error("New returned a service with its error")
			}
		})
	}
	if _, err := rules.New(rules.ServiceConfig{Store: store}); err != nil {
		t.Errorf("New with the required fields: %v", err)
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*rules.Service)(nil)})
}
