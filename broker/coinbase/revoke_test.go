package coinbase_test

import (
	"context"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/coinbase"
)

// TestRevokerEndsTheGrantAtCoinbase revokes a stored connection through the fake's OAuth2 revoke
// endpoint: afterwards the fake refuses the access token and the refresh token, so an import
// fails as unauthorized; revoking again, or a connection without tokens, is not an error.
func TestRevokerEndsTheGrantAtCoinbase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newImportRig(t, 5)
	rev := broker.Revokers{coach.BrokerCoinbase: coinbase.Revoker{Client: r.client, Sealer: r.sealer}}
	if !rev.Revocable(r.conn) {
		t.Fatal("a Coinbase connection is not revocable")
	}
	if err := rev.Revoke(ctx, r.conn); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	_, err := r.imp.Import(ctx, r.conn.UserID, r.conn, r.client)
	if coach.ErrorCode(err) != coach.EUNAUTHORIZED {
		t.Errorf("import after the revocation: %v, want unauthorized", err)
	}
	if got := r.stored(t); len(got) != 0 {
		t.Errorf("import after the revocation stored %d trades", len(got))
	}
	if err := rev.Revoke(ctx, r.conn); err != nil {
		t.Errorf("Revoke again: %v", err)
	}
	bare := r.conn
	bare.AccessEnc, bare.RefreshEnc, bare.Status = nil, nil, coach.ConnectionRevoked
	if err := rev.Revoke(ctx, bare); err != nil {
		t.Errorf("Revoke of a connection without tokens: %v", err)
	}
	binance := coach.BrokerConnection{ID: coach.NewID(), UserID: r.conn.UserID, Broker: coach.BrokerBinance}
	if rev.Revocable(binance) {
		t.Error("a Binance connection is reported revocable")
	}
	if err := rev.Revoke(ctx, binance); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Revoke of a Binance connection: %v, want invalid", err)
	}
}
