package binance_test

import (
	"testing"

	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/internal/servicetest"
)

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*binance.Client)(nil)})
}
