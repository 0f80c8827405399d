package storage_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// A unit of work: the user and the event about them commit together or not at all, on any
// adapter (storage/memory here, storage/postgres in production).
func Example() {
	ctx := context.Background()
	var store storage.Store = memory.New()
	err := store.InTx(ctx, func(tx storage.Tx) error {
		if err := tx.Users().Create(ctx, coach.User{ID: "trader-1", CreatedAt: time.Now().UTC()}); err != nil {
			return err
		}
		e, err := coach.NewEvent("trader-1", "shop.welcome", 1, map[string]string{"plan": "free"})
		if err != nil {
			return err
		}
		_, err = tx.Events().Append(ctx, e)
		return err
	})
	fmt.Println("committed:", err)

	events, err := store.Events().Since(ctx, "trader-1", "", storage.DefaultLimit)
	fmt.Println(len(events), events[0].Type, err)

	_, err = store.Users().ByID(ctx, "someone-else")
	fmt.Println(coach.ErrorCode(err))
	// Output:
	// committed: <nil>
	// 1 shop.welcome <nil>
	// not_found
}
