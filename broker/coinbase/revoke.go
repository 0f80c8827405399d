package coinbase

import (
	"context"
	"errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/seal"
)

// Revoker is a broker.Revoker for Coinbase connections: it opens the connection's sealed access
// token and asks Coinbase's OAuth2 revoke endpoint (Client.Revoke, with the client's
// credentials) to revoke it, which ends the grant and its refresh token.
type Revoker struct {
	Client *Client
	Sealer *seal.Sealer
}

var _ broker.Revoker = Revoker{}

// Revoke revokes c's grant at Coinbase. A connection without tokens (revoked, or whose access
// token is gone) has nothing to revoke and is not an error; a token that does not open is
// EINVALID (it cannot be revoked, and the caller deletes it anyway).
func (r Revoker) Revoke(ctx context.Context, c coach.BrokerConnection) error {
	if r.Client == nil || r.Sealer == nil {
		return coach.Errorf(coach.EINVALID, "coinbase: Revoker needs a Client and a Sealer")
	}
	if c.Broker != coach.BrokerCoinbase {
		return coach.Errorf(coach.EINVALID, "coinbase: cannot revoke a connection of another broker")
	}
	tok, err := openTokens(ctx, r.Sealer, c)
	if errors.Is(err, ErrRevoked) || err == nil && tok.AccessToken == "" {
		return nil
	}
	if err != nil {
		return err
	}
	return r.Client.Revoke(ctx, tok)
}
