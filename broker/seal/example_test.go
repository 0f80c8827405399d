package seal_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
)

// Seal a broker's refresh token for one connection and open it again; the token never prints.
func Example() {
	ctx := context.Background()
	key := make([]byte, seal.KeySize) // in production: seal.LocalKEKFromEnv or a KMS
	if _, err := rand.Read(key); err != nil {
		panic(err)
	}
	kek, err := seal.NewLocalKEK(key)
	if err != nil {
		panic(err)
	}
	sealer, err := seal.New(seal.Config{KEK: kek})
	if err != nil {
		panic(err)
	}
	conn := coach.BrokerConnection{ID: "conn-1", UserID: "trader-1", Broker: coach.BrokerCoinbase,
		Status: coach.ConnectionActive, CreatedAt: time.Now().UTC()}
	secret := seal.NewToken("refresh-token-from-coinbase")
	fmt.Println("the token prints as", secret)

	sealed, err := sealer.Seal(ctx, seal.For(conn, seal.PurposeRefresh), secret)
	fmt.Println("sealed:", err)
	opened, err := sealer.Open(ctx, seal.For(conn, seal.PurposeRefresh), sealed)
	fmt.Println("round trip:", opened.Reveal() == "refresh-token-from-coinbase", err)

	other := conn
	other.ID = "conn-2" // an envelope opens only for the connection and purpose it was sealed for
	_, err = sealer.Open(ctx, seal.For(other, seal.PurposeRefresh), sealed)
	fmt.Println("another connection:", coach.ErrorCode(err))
	// Output:
	// the token prints as [redacted]
	// sealed: <nil>
	// round trip: true <nil>
	// another connection: invalid
}
