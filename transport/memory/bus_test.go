package memory_test

import (
	"testing"

	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/memory"
	"github.com/tradecoach/coach/transport/transporttest"
)

func TestBus(t *testing.T) {
	transporttest.RunBus(t, func(t *testing.T) transport.Bus {
		b := memory.NewBus(0)
		t.Cleanup(func() { b.Close() })
		return b
	})
}
