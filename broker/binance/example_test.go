package binance_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/seal"
)

// Import a user's fills with their read-only API key, here from brokertest's fake Binance, which
// speaks the real wire format (signed requests, myTrades windows, weights).
func Example() {
	fake := brokertest.NewBinance(brokertest.BinanceConfig{Seed: 1})
	defer fake.Close()
	fake.AddFills(25)

	client, err := binance.New(binance.Config{BaseURL: fake.URL(),
		APIKey: "fake-binance-key", SecretKey: seal.NewToken("fake-binance-secret")}) // the user's key pair
	if err != nil {
		panic(err)
	}
	req := broker.FillsRequest{From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Symbols: []coach.Symbol{coach.MustParseSymbol("BTC-USDT")}}
	fills := 0
	err = client.Fills(context.Background(), req, func(p broker.FillPage) error {
		fills += len(p.Trades) // the importer stores each page, then its checkpoint
		return nil
	})
	want := 0
	for _, t := range fake.Trades() {
		if t.Symbol == coach.MustParseSymbol("BTC-USDT") {
			want++
		}
	}
	fmt.Println(fills == want, err)
	// Output:
	// true <nil>
}
