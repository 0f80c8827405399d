package memory_test

import (
	"testing"

	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/storagetest"
)

func TestStore(t *testing.T) {
	storagetest.Run(t, func(*testing.T) storage.Store { return memory.New() })
}
