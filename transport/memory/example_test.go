package memory_test

import (
	"context"
	"fmt"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/memory"
)

// The in-process bus: a subscriber hears the events of its user published after it subscribed.
func Example() {
	ctx := context.Background()
	bus := memory.NewBus(16)
	sub, err := bus.Subscribe(ctx, "trader-1")
	if err != nil {
		panic(err)
	}
	defer sub.Close()

	e, _ := coach.NewEvent("trader-1", coach.EventDigestReady, 1, map[string]string{"digestId": "d1"})
	fmt.Println(bus.Publish(ctx, e))
	got := <-sub.Events()
	fmt.Println(got.Type, string(got.Payload))
	// Output:
	// <nil>
	// digest.ready {"digestId":"d1"}
}
