package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

func TestCandleSourceReadsTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	t0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var stored []coach.Candle
	for i := range 5 {
		stored = append(stored, coach.Candle{Symbol: "BTC-USD", Interval: coach.Hour1, OpenTime: t0.Add(time.Duration(i) * time.Hour),
			Open: 100, High: 110, Low: 90, Close: 105, Volume: 1})
	}
	if err := store.Candles().Put(ctx, stored); err != nil {
		t.Fatal(err)
	}
	src := storage.CandleSource(store.Candles())
	got, err := src.Candles(ctx, "BTC-USD", coach.Hour1, t0.Add(time.Hour), t0.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stored[1:4], got); diff != "" {
		t.Errorf("candles (-want +got):\n%s", diff)
	}
	if got, err := src.Candles(ctx, "ETH-USD", coach.Hour1, t0, t0.Add(4*time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("a symbol with nothing stored: %v, %v; want no candles", got, err)
	}
	if _, err := storage.CandleSource(nil).Candles(ctx, "BTC-USD", coach.Hour1, t0, t0.Add(time.Hour)); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("nil store: %v, want EINVALID", err)
	}
}
