package binance

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
)

// SealKey returns c with an API key pair sealed into it: the key in AccessEnc (purpose
// seal.PurposeAccess) and its secret in RefreshEnc (purpose seal.PurposeAPISecret), each bound to
// c's user, broker and id. EINVALID without a sealer, a key or a secret.
func SealKey(ctx context.Context, s *seal.Sealer, c coach.BrokerConnection, apiKey string, secret seal.Token) (coach.BrokerConnection, error) {
	if s == nil || apiKey == "" || secret.IsZero() {
		return c, coach.Errorf(coach.EINVALID, "binance: seal key: a sealer, an API key and its secret are required")
	}
	key, err := s.Seal(ctx, seal.For(c, seal.PurposeAccess), seal.NewToken(apiKey))
	if err != nil {
		return c, err
	}
	sec, err := s.Seal(ctx, seal.For(c, seal.PurposeAPISecret), secret)
	if err != nil {
		return c, err
	}
	c.AccessEnc, c.RefreshEnc, c.ExpiresAt = key.Bytes(), sec.Bytes(), nil
	return c, nil
}

// OpenKey opens the API key pair SealKey stored in c. EINVALID when c holds no key pair, is
// revoked, or an envelope does not open for c; the key never appears in an error.
func OpenKey(ctx context.Context, s *seal.Sealer, c coach.BrokerConnection) (apiKey string, secret seal.Token, err error) {
	if s == nil {
		return "", seal.Token{}, coach.Errorf(coach.EINVALID, "binance: open key: no sealer")
	}
	if c.Status == coach.ConnectionRevoked || len(c.AccessEnc) == 0 || len(c.RefreshEnc) == 0 {
		return "", seal.Token{}, coach.Errorf(coach.EINVALID, "binance: connection %s holds no API key: link it again", c.ID)
	}
	key, err := s.Open(ctx, seal.For(c, seal.PurposeAccess), seal.SealedOf(c.AccessEnc))
	if err != nil {
		return "", seal.Token{}, err
	}
	if secret, err = s.Open(ctx, seal.For(c, seal.PurposeAPISecret), seal.SealedOf(c.RefreshEnc)); err != nil {
		return "", seal.Token{}, err
	}
	return key.Reveal(), secret, nil
}
