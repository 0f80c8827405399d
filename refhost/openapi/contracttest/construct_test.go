package contracttest_test

import (
	"testing"

	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/refhost/openapi/contracttest"
)

func TestZeroValues(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*contracttest.Transport)(nil)})
}
