package link

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/seal"
)

// maxKeyLen bounds a submitted API key or secret (Binance's are 64 characters).
const maxKeyLen = 256

// LinkBinance links userID's Binance account by an API key pair: a signed test call
// (GET /sapi/v1/account/apiRestrictions) must succeed and show a read-only key; then the pair is
// sealed and the connection stored with a broker_linked audit row. EINVALID for a missing or
// malformed key, or one Binance rejects; EFORBIDDEN, naming the permissions to switch off, for a
// key that can trade, withdraw or transfer (or cannot read); EUNAVAILABLE or ERATELIMITED when
// Binance cannot answer. Nothing is stored unless the key is accepted.
func (l *Linker) LinkBinance(ctx context.Context, userID, apiKey string, secret seal.Token) (coach.BrokerConnection, error) {
	if l == nil || l.cfg.Binance == nil {
		return coach.BrokerConnection{}, coach.Errorf(coach.EINVALID, "link: Binance linking is not configured")
	}
	if !coach.ValidID(userID) {
		return coach.BrokerConnection{}, coach.Errorf(coach.EINVALID, "link: userId: required")
	}
	if !keyText(apiKey) || !keyText(secret.Reveal()) {
		return coach.BrokerConnection{}, coach.Errorf(coach.EINVALID, "link: apiKey and secretKey: want 1-%d printable characters each", maxKeyLen)
	}
	cfg := *l.cfg.Binance
	cfg.APIKey, cfg.SecretKey = apiKey, secret
	client, err := binance.New(cfg)
	if err != nil {
		return coach.BrokerConnection{}, err
	}
	r, err := client.APIRestrictions(ctx)
	if coach.ErrorCode(err) == coach.EUNAUTHORIZED {
		// The user's key is wrong, not the caller's session: a 400, not a 401.
		return coach.BrokerConnection{}, coach.Errorf(coach.EINVALID, "binance rejected the API key or its secret: check both and that the key is not IP-restricted elsewhere")
	}
	if err != nil {
		return coach.BrokerConnection{}, err
	}
	if err := r.ReadOnly(); err != nil {
		return coach.BrokerConnection{}, err
	}
	conn, err := binance.SealKey(ctx, l.cfg.Sealer, l.newConnection(userID, coach.BrokerBinance, "read"), apiKey, secret)
	if err != nil {
		return coach.BrokerConnection{}, err
	}
	if err := l.create(ctx, conn); err != nil {
		return coach.BrokerConnection{}, err
	}
	return conn, nil
}

// keyText reports whether s is 1 to maxKeyLen printable ASCII characters without spaces.
func keyText(s string) bool {
	if len(s) == 0 || len(s) > maxKeyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
