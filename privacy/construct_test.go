package privacy_test

import (
	"testing"

	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/privacy"
)

func TestZeroValues(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*privacy.Service)(nil), (*privacy.Eraser)(nil)})
}
