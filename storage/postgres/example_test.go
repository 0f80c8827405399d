package postgres_test

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/postgres"
)

// The store on a host's own pool, and a unit of work on the host's transaction: the host's row
// and the coach's event commit together. This example needs a PostgreSQL server, so it is
// compiled, not run; examples/embed runs the same flow, and its test builds it as an outside
// module against the test server.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://postgres@127.0.0.1:5432/test")
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	db, err := postgres.New(ctx, pool, postgres.Config{Schema: "coach"}) // migrates the schema
	if err != nil {
		panic(err) // coach.EUNAVAILABLE when the server does not answer
	}
	defer db.Close() // the pool stays the host's

	_ = db.Users().Create(ctx, coach.User{ID: "shop-user-42", CreatedAt: time.Now().UTC()}) // no email needed
	tx, err := pool.Begin(ctx)
	if err != nil {
		panic(err)
	}
	defer tx.Rollback(ctx)
	// … the host's own statements on tx …
	err = db.InExternalTx(ctx, tx, func(stx storage.Tx) error {
		e, err := coach.NewEvent("shop-user-42", "shop.order_placed", 1, map[string]string{"orderId": "o1"})
		if err != nil {
			return err
		}
		_, err = stx.Events().Append(ctx, e)
		return err
	})
	if err == nil {
		err = tx.Commit(ctx)
	}
	fmt.Println(err)
}
