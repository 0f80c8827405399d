package brokers_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/refhost/brokers"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/demo"
	"github.com/tradecoach/coach/refhost/infra"
)

// Without the demo, the services read the exchanges' public candles through the store's cache:
// a CSV-only user's pairs are scored on real market data.
func TestWithoutTheDemoCandlesComeFromThePublicEndpoints(t *testing.T) {
	ctx := context.Background()
	bn := brokertest.NewBinance(brokertest.BinanceConfig{Seed: 5})
	t.Cleanup(bn.Close)
	cfg, err := config.Load("refhost", nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Demo, cfg.KEK, cfg.BinanceAPIURL, cfg.CoinbaseAPIURL = false, bytes.Repeat([]byte("k"), 32), bn.URL(), "http://127.0.0.1:1"
	clock := coach.SystemClock{}
	in, err := infra.Open(ctx, cfg, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	market, err := demo.Market(1, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := brokers.Build(cfg, in, market, clock)
	if err != nil {
		t.Fatal(err)
	}
	to := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	from := to.Add(-6 * time.Hour)
	cs, err := b.Candles.Candles(ctx, "BTC-USDT", coach.Hour1, from, to)
	if err != nil || len(cs) != 6 {
		t.Fatalf("public candles: %d, %v", len(cs), err)
	}
	cached, err := in.Store.Candles().Range(ctx, "BTC-USDT", coach.Hour1, from, to)
	if err != nil || len(cached) != 6 {
		t.Fatalf("the closed bars were not cached: %d, %v", len(cached), err)
	}
	// With the demo on, the demo market answers and nothing is asked of an exchange.
	cfg.Demo = true
	d, err := brokers.Build(cfg, in, market, clock)
	if err != nil {
		t.Fatal(err)
	}
	if d.Candles != coach.CandleSource(market) {
		t.Fatalf("with the demo on, candles come from %T", d.Candles)
	}
}
