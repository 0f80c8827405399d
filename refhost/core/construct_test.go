package core_test

import (
	"testing"

	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/refhost/core"
)

func TestZeroValues(t *testing.T) { servicetest.ZeroValues(t, []any{(*core.API)(nil)}) }
