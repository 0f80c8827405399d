package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/public"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/storage/memory"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// A host's "sync now" route enqueues the connection's import; asking again within the minute is
// rate limited, with the time to wait for a Retry-After header.
func ExampleSyncer_SyncNow() {
	ctx := context.Background()
	clock := coach.NewManualClock(time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC))
	store := memory.New(memory.WithClock(clock))
	queue, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: store.DeadLetters()})
	if err != nil {
		panic(err)
	}
	user := coach.User{ID: "trader-1", CreatedAt: clock.Now()}
	conn := coach.BrokerConnection{ID: "conn-1", UserID: user.ID, Broker: coach.BrokerBinance, Status: coach.ConnectionActive,
		AccessEnc: []byte("sealed"), CreatedAt: clock.Now()}
	if err := errors.Join(store.Users().Create(ctx, user), store.Connections().Create(ctx, conn)); err != nil {
		panic(err)
	}
	syncer, err := jobs.NewSyncer(jobs.SyncerConfig{Store: store, Queue: queue, Limiter: memory.NewRateLimiter(clock), Clock: clock,
		Sync: jobs.SyncConfig{Backfill: 7 * 24 * time.Hour}})
	if err != nil {
		panic(err)
	}
	job, err := syncer.SyncNow(ctx, user.ID, conn.ID)
	fmt.Println(job.ID, err)
	clock.Advance(15 * time.Second)
	_, err = syncer.SyncNow(ctx, user.ID, conn.ID)
	var limited *jobs.RateLimitedError
	if errors.As(err, &limited) {
		fmt.Println(coach.ErrorCode(err), "retry after", limited.RetryAfter)
	}
	// Output:
	// import:conn-1:2025-12-29T09:30:00Z <nil>
	// rate_limited retry after 45s
}

// Users who only upload CSV files link no broker: the market data their scoring, rules,
// simulations and digests read comes from the exchanges' public candle endpoints (no key),
// cached in the store. Give the one source to every service that reads candles.
func Example_publicMarketData() {
	store := memory.New()
	src, err := public.New(public.Config{
		// Every Binance client behind one IP draws from one weight budget (Redis in production).
		Binance:  binance.Config{Budget: memory.NewWeightBudget()},
		Coinbase: coinbase.Config{},
	})
	if err != nil {
		panic(err)
	}
	candles, err := broker.NewCachedMarketData(broker.CacheConfig{Store: store.Candles(), Source: src})
	if err != nil {
		panic(err)
	}
	scorer, err := bias.New(bias.ServiceConfig{Store: store, Candles: candles, Blobs: memory.NewBlobs()})
	if err != nil {
		panic(err)
	}
	queue, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: store.DeadLetters()})
	if err != nil {
		panic(err)
	}
	handlers, err := jobs.New(jobs.Config{Store: store, Queue: queue, Scorer: scorer})
	if err != nil {
		panic(err)
	}
	_ = handlers // register them on the worker's transport.Mux
}
