package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// The in-memory store keeps every port's contract: re-importing the same fill is idempotent.
func Example() {
	ctx := context.Background()
	store := memory.New()
	ts := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := store.Users().Create(ctx, coach.User{ID: "trader-1", CreatedAt: ts}); err != nil {
		panic(err)
	}
	fill := coach.Trade{ID: coach.NewID(), UserID: "trader-1", Broker: "csv", ExtID: "f1",
		Symbol: coach.MustParseSymbol("BTC-USDT"), Side: coach.Buy, TS: ts,
		Qty: decimal.RequireFromString("0.5"), Price: decimal.RequireFromString("60000")}
	for range 2 {
		res, err := store.Trades().Upsert(ctx, "trader-1", []coach.Trade{fill})
		fmt.Printf("%+v %v\n", res, err)
	}
	trades, err := storage.ListAll(ctx, store.Trades(), "trader-1", storage.TradeFilter{})
	fmt.Println(len(trades), trades[0].Symbol, trades[0].Qty, err)
	// Output:
	// {Inserted:1 Unchanged:0 Skipped:0} <nil>
	// {Inserted:0 Unchanged:1 Skipped:0} <nil>
	// 1 BTC-USDT 0.5 <nil>
}
