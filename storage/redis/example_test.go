package redis_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/redis"
)

// The short-lived stores on Redis: here a nonce of a signed request, usable once per window.
// This example needs a Redis server, so it is compiled, not run (storage/redis's tests run the
// same calls against the test Redis).
func Example() {
	ctx := context.Background()
	store, err := redis.Open(ctx, redis.Config{Addr: "127.0.0.1:6379", Prefix: "shop:coach:"})
	if err != nil {
		panic(err) // coach.EUNAVAILABLE when the server does not answer
	}
	defer store.Close()
	fmt.Println(store.Nonces().Use(ctx, "nonce-1", 10*time.Minute))
	err = store.Nonces().Use(ctx, "nonce-1", 10*time.Minute)
	fmt.Println(coach.ErrorCode(err)) // conflict: a replayed request
}
