package transporttest_test

import (
	"testing"

	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/memory"
	"github.com/tradecoach/coach/transport/transporttest"
)

// A bus passes the contract suite with a one-line test. The suite takes a test's *testing.T, so
// this example is compiled, not run: the closure is the body of a TestXxx function of the bus's
// package.
func ExampleRunBus() {
	_ = func(t *testing.T) {
		transporttest.RunBus(t, func(t *testing.T) transport.Bus { return memory.NewBus(64) })
	}
}
