package coinbase_test

import (
	"testing"

	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/internal/servicetest"
)

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*coinbase.Client)(nil)})
}
