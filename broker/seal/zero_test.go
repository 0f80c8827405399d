package seal_test

import (
	"testing"

	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/internal/servicetest"
)

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*seal.Sealer)(nil)})
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		field string
		cfg   seal.Config
	}{
		{"Config.KEK", seal.Config{}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := seal.New(tc.cfg)
			servicetest.RefusesField(t, err, tc.field)
		})
	}
}
