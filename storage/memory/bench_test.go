package memory_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/memory"
)

// syntheticTrades returns n valid, distinct binance fills a second apart, in broker order.
func syntheticTrades(n int) []coach.Trade {
	out := make([]coach.Trade, n)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	qty, price := decimal.RequireFromString("0.015"), decimal.RequireFromString("43012.55")
	fee := decimal.NewNullDecimal(decimal.RequireFromString("0.0000105"))
	for i := range out {
		side := coach.Buy
		if i%2 == 1 {
			side = coach.Sell
		}
		out[i] = coach.Trade{Broker: coach.BrokerBinance, ExtID: fmt.Sprintf("%d", 100_000_000+i), Symbol: "BTC-USDT",
			Side: side, Qty: qty, Price: price, Fee: fee, FeeAsset: "BNB", TS: t0.Add(time.Duration(i) * time.Second)}
	}
	return out
}

// BenchmarkUpsert100k imports 100k new trades into an empty store.
func BenchmarkUpsert100k(b *testing.B) {
	ctx := context.Background()
	trades := syntheticTrades(100_000)
	userID := coach.NewID()
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		b.StopTimer()
		s := memory.New()
		b.StartTimer()
		res, err := s.Trades().Upsert(ctx, userID, trades)
		if err != nil || res.Inserted != len(trades) {
			b.Fatalf("Upsert = %+v, %v", res, err)
		}
	}
	reportThroughput(b, len(trades), cpu0)
}

// BenchmarkReimport100k imports the same 100k trades again: every one is Unchanged.
func BenchmarkReimport100k(b *testing.B) {
	ctx := context.Background()
	trades := syntheticTrades(100_000)
	userID := coach.NewID()
	s := memory.New()
	if _, err := s.Trades().Upsert(ctx, userID, trades); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		res, err := s.Trades().Upsert(ctx, userID, trades)
		if err != nil || res.Unchanged != len(trades) {
			b.Fatalf("Upsert = %+v, %v", res, err)
		}
	}
	reportThroughput(b, len(trades), cpu0)
}

// reportThroughput reports trades per second of wall time and, where the platform tells, per
// second of the process's CPU time (robust to other load on the machine).
func reportThroughput(b *testing.B, perOp int, cpu0 time.Duration) {
	total := float64(perOp) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "trades/s")
	if cpu := processCPU() - cpu0; cpu0 > 0 && cpu > 0 {
		b.ReportMetric(total/cpu.Seconds(), "trades/cpu-s")
	}
}
