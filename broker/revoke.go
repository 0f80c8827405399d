package broker

import (
	"context"

	"github.com/tradecoach/coach"
)

// Revoker ends a connection's grant at its broker, so that the credentials the connection held
// stop working there too, not only here. Coinbase's OAuth2 grants can be revoked
// (coinbase.Revoker). Binance API keys cannot: the trader creates the key at Binance and only
// the trader can delete it there; erasing the connection deletes our sealed copy of its secret,
// and the trader should be told to delete the key at Binance.
type Revoker interface {
	// Revoke asks the broker to revoke c's credentials. A connection that holds none (revoked
	// already, or never linked) is not an error, nor is a grant the broker says is already
	// dead. EUNAVAILABLE, ERATE_LIMITED and the like when the broker cannot be asked now.
	Revoke(ctx context.Context, c coach.BrokerConnection) error
}

// Revokers picks the Revoker of a connection's broker (keyed by coach.BrokerConnection.Broker).
type Revokers map[string]Revoker

// Revocable reports whether c's broker has a Revoker here.
func (rs Revokers) Revocable(c coach.BrokerConnection) bool {
	_, ok := rs[c.Broker]
	return ok
}

// Revoke revokes c at its broker with the broker's Revoker; a broker without one is EINVALID
// (check Revocable first).
func (rs Revokers) Revoke(ctx context.Context, c coach.BrokerConnection) error {
	r, ok := rs[c.Broker]
	if !ok {
		return coach.Errorf(coach.EINVALID, "broker %s: its credentials cannot be revoked by us", clip(c.Broker, 32))
	}
	return r.Revoke(ctx, c)
}
