package ledger_test

import (
	"testing"

	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/ledger"
)

// A Converter not built by NewConverter converts nothing and never panics.
func TestZeroValuesDoNotPanic(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*ledger.Converter)(nil)})
}
