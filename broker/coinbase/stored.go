package coinbase

import (
	"context"
	"crypto/subtle"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage"
	"golang.org/x/oauth2"
)

// StoredTokens is a TokenStore over a broker connection kept in a storage.Store, its tokens
// sealed in AccessEnc and RefreshEnc (see SealTokens). Token opens them; Save rotates them with
// storage.Connections.Rotate, a compare-and-swap on the sealed refresh token, so a rotation is
// stored whole or not at all and, of two concurrent rotations from the same token, one wins and
// the other is ECONFLICT. It never returns or quotes a token or an envelope in an error.
type StoredTokens struct {
	Store        storage.Store
	Sealer       *seal.Sealer
	UserID       string
	ConnectionID string
}

var _ TokenStore = (*StoredTokens)(nil)

// Token returns the connection's tokens. ErrRevoked when the connection is revoked or holds no
// token; ENOTFOUND when there is no such connection.
func (s *StoredTokens) Token(ctx context.Context) (*oauth2.Token, error) {
	c, err := s.Store.Connections().Get(ctx, s.UserID, s.ConnectionID)
	if err != nil {
		return nil, err
	}
	return openTokens(ctx, s.Sealer, c)
}

// Save stores next in place of prev (see TokenStore): ECONFLICT, changing nothing, when the
// stored refresh token is no longer prev's — checked here, then again atomically by the store
// against the sealed envelope read — and ErrRevoked when the connection was revoked meanwhile.
func (s *StoredTokens) Save(ctx context.Context, prev, next *oauth2.Token) error {
	if prev == nil || next == nil || next.AccessToken == "" {
		return coach.Errorf(coach.EINVALID, "coinbase: save tokens: prev and next are required")
	}
	c, err := s.Store.Connections().Get(ctx, s.UserID, s.ConnectionID)
	if err != nil {
		return err
	}
	cur, err := openTokens(ctx, s.Sealer, c)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(cur.RefreshToken), []byte(prev.RefreshToken)) != 1 {
		return errRotated
	}
	stored := c.RefreshEnc
	if c, err = SealTokens(ctx, s.Sealer, c, next); err != nil {
		return err
	}
	err = s.Store.Connections().Rotate(ctx, c, stored)
	if coach.ErrorCode(err) == coach.ECONFLICT {
		if now, gerr := s.Store.Connections().Get(ctx, s.UserID, s.ConnectionID); gerr == nil && now.Status == coach.ConnectionRevoked {
			return ErrRevoked
		}
		return errRotated
	}
	return err
}

// errRotated is Save's answer when another process rotated the tokens first.
var errRotated = coach.Errorf(coach.ECONFLICT, "coinbase: the connection's tokens were rotated concurrently")

// SealTokens returns c with tok's access and refresh tokens sealed into AccessEnc and RefreshEnc
// (each bound to c and its purpose) and ExpiresAt set to tok's expiry: what a connection stores
// after FinishLink or a refresh. A token without a refresh token clears RefreshEnc.
func SealTokens(ctx context.Context, s *seal.Sealer, c coach.BrokerConnection, tok *oauth2.Token) (coach.BrokerConnection, error) {
	if s == nil || tok == nil || tok.AccessToken == "" {
		return c, coach.Errorf(coach.EINVALID, "coinbase: seal tokens: a sealer and an access token are required")
	}
	access, err := s.Seal(ctx, seal.For(c, seal.PurposeAccess), seal.NewToken(tok.AccessToken))
	if err != nil {
		return c, err
	}
	var refresh seal.Sealed
	if tok.RefreshToken != "" {
		if refresh, err = s.Seal(ctx, seal.For(c, seal.PurposeRefresh), seal.NewToken(tok.RefreshToken)); err != nil {
			return c, err
		}
	}
	c.AccessEnc, c.RefreshEnc, c.ExpiresAt = access.Bytes(), refresh.Bytes(), nil
	if !tok.Expiry.IsZero() {
		exp := tok.Expiry.UTC()
		c.ExpiresAt = &exp
	}
	return c, nil
}

// openTokens opens c's sealed tokens. ErrRevoked when c is revoked or holds none.
func openTokens(ctx context.Context, s *seal.Sealer, c coach.BrokerConnection) (*oauth2.Token, error) {
	if c.Status == coach.ConnectionRevoked || len(c.AccessEnc) == 0 && len(c.RefreshEnc) == 0 {
		return nil, ErrRevoked
	}
	if s == nil {
		return nil, coach.Errorf(coach.EINVALID, "coinbase: stored tokens: no sealer")
	}
	tok := &oauth2.Token{TokenType: "Bearer"}
	if len(c.AccessEnc) > 0 {
		t, err := s.Open(ctx, seal.For(c, seal.PurposeAccess), seal.SealedOf(c.AccessEnc))
		if err != nil {
			return nil, err
		}
		tok.AccessToken = t.Reveal()
	}
	if len(c.RefreshEnc) > 0 {
		t, err := s.Open(ctx, seal.For(c, seal.PurposeRefresh), seal.SealedOf(c.RefreshEnc))
		if err != nil {
			return nil, err
		}
		tok.RefreshToken = t.Reveal()
	}
	if c.ExpiresAt != nil {
		tok.Expiry = c.ExpiresAt.In(time.UTC)
	}
	return tok, nil
}
