package memory_test

import (
	"testing"

	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage/memory"
)

func TestSignedBlobsZeroValues(t *testing.T) {
	servicetest.ZeroValues(t, []any{(*memory.SignedBlobs)(nil)})
}
