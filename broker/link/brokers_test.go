package link_test

import (
	"context"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/seal"
)

// fills imports conn's last 30 days through b's broker and returns how many fills came.
func fills(t *testing.T, r *rig, conn coach.BrokerConnection) int {
	t.Helper()
	b, err := r.brokers.Broker(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = b.Fills(context.Background(), broker.FillsRequest{From: r.clock.Now().AddDate(0, 0, -31), To: r.clock.Now()},
		func(p broker.FillPage) error { n += len(p.Trades); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBrokersOpenLinkedConnections: a linked Binance and a linked Coinbase connection import
// through Brokers; Coinbase's refresh after the access token expired is written back to the store
// (the stored refresh token is the one the fake issued last); another broker is unavailable.
func TestBrokersOpenLinkedConnections(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	alice := r.user(t)

	bn, err := r.linker.LinkBinance(ctx, alice, r.bn.Config().APIKey, seal.NewToken(r.bn.Config().SecretKey))
	if err != nil {
		t.Fatal(err)
	}
	if n := fills(t, r, bn); n == 0 {
		t.Fatal("no Binance fills through the linked connection")
	}

	code, state := authorize(t, must(r.linker.StartCoinbase(ctx, alice)))
	cb, err := r.linker.FinishCoinbase(ctx, alice, state, code)
	if err != nil {
		t.Fatal(err)
	}
	if n := fills(t, r, cb); n != 40 {
		t.Fatalf("%d Coinbase fills, want 40", n)
	}
	r.cb.ExpireAccessTokensAfter(0)
	if n := fills(t, r, cb); n != 40 || r.cb.Refreshes() != 1 {
		t.Fatalf("after expiry: %d fills, %d refreshes", n, r.cb.Refreshes())
	}
	tok, err := (&coinbase.StoredTokens{Store: r.store, Sealer: r.sealer, UserID: alice, ConnectionID: cb.ID}).Token(ctx)
	if err != nil || tok.RefreshToken != r.cb.LastIssued().RefreshToken {
		t.Fatalf("the rotated refresh token was not stored: %v", err)
	}

	if _, err := r.brokers.Broker(ctx, coach.BrokerConnection{ID: coach.NewID(), UserID: alice, Broker: coach.BrokerDemo}); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Fatalf("demo without Other: %v, want unavailable", err)
	}
}
