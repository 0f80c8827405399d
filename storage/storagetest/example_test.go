package storagetest_test

import (
	"testing"

	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/storagetest"
)

// An adapter passes the conformance suite with a one-line test. The suite takes a test's
// *testing.T, so this example is compiled, not run: the closure is the body of a TestXxx function
// of the adapter's package (storage/memory's own runs exactly this).
func Example() {
	_ = func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) storage.Store { return memory.New() })
	}
}
