package main

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/refhost/demo"
)

// fakeBinance is a fake Binance whose account holds the fills of the host's demo persona (seed
// 42, the default) over its last 30 days: the host reads the demo market for candles, so the
// fills and the market agree and the behaviours the persona planted are found.
func fakeBinance(t *testing.T) *brokertest.Binance {
	t.Helper()
	market, err := demo.Market(42, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	bn := brokertest.NewBinance(brokertest.BinanceConfig{Symbols: market.Symbols(), FillsFrom: market.Start(), FillsTo: market.End(), Seed: 5})
	t.Cleanup(bn.Close)
	bn.AddTrades(market.Trades())
	// The account still holds a little of each asset it traded, so the client's discovery of the
	// pairs to read finds them all (an asset sold down to nothing leaves no trace in the balances).
	held := map[string]brokertest.BinanceBalance{}
	for _, s := range market.Symbols() {
		held[s.Base()] = brokertest.BinanceBalance{Free: decimal.New(1, -3)}
	}
	bn.SetBalances(held)
	return bn
}
