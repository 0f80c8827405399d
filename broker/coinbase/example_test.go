package coinbase_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/seal"
)

// Read a linked connection's fills, here from brokertest's fake Coinbase (Advanced Trade's wire
// format, OAuth2 with refresh-token rotation). The tokens come from linking (Client.Link); in
// production the TokenStore seals them into the connection (SealTokens).
func Example() {
	fake := brokertest.NewCoinbase(brokertest.CoinbaseConfig{Seed: 1})
	defer fake.Close()
	fake.AddFills(40)

	cfg := fake.Config()
	client, err := coinbase.New(coinbase.Config{BaseURL: fake.URL(), AuthURL: fake.AuthURL(),
		TokenURL: fake.TokenURL(), RevokeURL: fake.RevokeURL(), ClientID: cfg.ClientID,
		ClientSecret: seal.NewToken(cfg.ClientSecret), RedirectURL: cfg.RedirectURL,
		Tokens: coinbase.NewMemoryTokens(fake.Grant())})
	if err != nil {
		panic(err)
	}
	req := broker.FillsRequest{From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)}
	fills := 0
	err = client.Fills(context.Background(), req, func(p broker.FillPage) error {
		fills += len(p.Trades)
		return nil
	})
	fmt.Println(fills, err)
	// Output:
	// 40 <nil>
}
