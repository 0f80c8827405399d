package digest_test

import (
	"testing"

	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage/memory"
)

func TestConstructors(t *testing.T) {
	t.Parallel()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	for _, tc := range []struct {
		field string
		cfg   digest.ServiceConfig
	}{
		{"ServiceConfig.Store", digest.ServiceConfig{}},
		{"ServiceConfig.CandleInterval", digest.ServiceConfig{Store: store, CandleInterval: "2h"}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			svc, err := digest.New(tc.cfg)
			servicetest.RefusesField(t, err, tc.field)
			if svc != nil {
				t.Error("New returned a service with its error")
			}
		})
	}
	if _, err := digest.New(digest.ServiceConfig{Store: store}); err != nil {
		t.Errorf("New with the required fields: %v", err)
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*digest.Service)(nil)})
}
