package redis_test

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/redis"
)

// The event bus across processes: a subscriber on one edge instance hears what a dispatcher
// published on another. This example needs a Redis server, so it is compiled, not run (the
// package's tests and examples/embed run it against the test Redis).
func Example() {
	ctx := context.Background()
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	bus, err := redis.NewBus(client, redis.BusConfig{Prefix: "shop:"})
	if err != nil {
		panic(err)
	}
	defer bus.Close()

	sub, err := bus.Subscribe(ctx, "trader-1") // live once it returns
	if err != nil {
		panic(err) // coach.EUNAVAILABLE when Redis does not answer
	}
	defer sub.Close()
	e, _ := coach.NewEvent("trader-1", coach.EventDigestReady, 1, map[string]string{"digestId": "d1"})
	if err := bus.Publish(ctx, e); err != nil {
		panic(err)
	}
	got := <-sub.Events()
	fmt.Println(got.Type, string(got.Payload), bus.Channel("trader-1"))
}
