package outbox_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// The dispatcher publishes committed outbox events to the bus and marks them delivered.
func Example() {
	ctx := context.Background()
	store, bus := memory.New(), transportmemory.NewBus(16)
	if err := store.Users().Create(ctx, coach.User{ID: "trader-1", CreatedAt: time.Now().UTC()}); err != nil {
		panic(err)
	}
	sub, err := bus.Subscribe(ctx, "trader-1") // a relay subscribes first, then replays
	if err != nil {
		panic(err)
	}
	defer sub.Close()

	e, _ := coach.NewEvent("trader-1", coach.EventDigestReady, 1, map[string]string{"digestId": "d1"})
	if _, err := store.Events().Append(ctx, e); err != nil { // in production: inside InTx with the change
		panic(err)
	}
	dispatcher, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus})
	if err != nil {
		panic(err)
	}
	n, err := dispatcher.DispatchOnce(ctx) // Run does this in a loop, woken by Notify
	fmt.Println("dispatched", n, err)
	got := <-sub.Events()
	fmt.Println(got.Type, string(got.Payload))

	left, err := store.Events().Undelivered(ctx, storage.DefaultLimit)
	fmt.Println("undelivered", len(left), err)
	// Output:
	// dispatched 1 <nil>
	// digest.ready {"digestId":"d1"}
	// undelivered 0 <nil>
}
