package link_test

import (
	"testing"

	"github.com/tradecoach/coach/broker/link"
	"github.com/tradecoach/coach/internal/servicetest"
)

func TestZeroValues(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*link.Linker)(nil), (*link.Brokers)(nil)})
}
