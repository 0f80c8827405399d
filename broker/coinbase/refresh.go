package coinbase

import (
	"context"
	"net/http"
	"time"

	"github.com/pkg/errors"
	"golang.org/x/oauth2"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/wire"
)

// expirySkew refreshes an access token this long before Coinbase would reject it.
const expirySkew = 30 * time.Second

// accessToken returns the access token to send, loading it from the TokenStore on first use and
// refreshing it first when it has expired by the Clock.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.Tokens == nil {
		return "", coach.Errorf(coach.EINVALID, "coinbase: the client has no TokenStore; link the connection first")
	}
	if c.tok == nil {
		tok, err := c.cfg.Tokens.Token(ctx)
		if err != nil {
			return "", err
		}
		if tok == nil || tok.AccessToken == "" && tok.RefreshToken == "" {
			return "", ErrRevoked
		}
		cp := *tok
		c.tok = &cp
	}
	if c.usable(c.tok) {
		return c.tok.AccessToken, nil
	}
	if err := c.refreshLocked(ctx); err != nil {
		return "", err
	}
	return c.tok.AccessToken, nil
}

// usable reports whether tok's access token is present and not about to expire.
func (c *Client) usable(tok *oauth2.Token) bool {
	return tok.AccessToken != "" && (tok.Expiry.IsZero() || c.cfg.Clock.Now().Add(expirySkew).Before(tok.Expiry))
}

// refreshAfterReject refreshes after Coinbase rejected the access token failed, unless another
// call has already replaced it.
func (c *Client) refreshAfterReject(ctx context.Context, failed string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != nil && c.tok.AccessToken != failed {
		return nil
	}
	return c.refreshLocked(ctx)
}

// refreshLocked trades the refresh token for a new pair and persists the rotation. c.mu is held.
func (c *Client) refreshLocked(ctx context.Context) error {
	prev := c.tok
	if prev.RefreshToken == "" {
		return ErrRevoked
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, c.cfg.HTTPClient)
	next, err := c.oauth.TokenSource(hctx, &oauth2.Token{RefreshToken: prev.RefreshToken}).Token()
	if err != nil {
		return tokenError(ctx, err, true)
	}
	c.stamp(next)
	c.retired = append(c.retired, prev.AccessToken, prev.RefreshToken)
	if len(c.retired) > 16 {
		c.retired = c.retired[len(c.retired)-16:]
	}
	c.tok = next
	if err := c.cfg.Tokens.Save(ctx, prev, next); err != nil {
		return errors.Wrap(err, "coinbase: persist the rotated refresh token")
	}
	return nil
}

// stamp sets tok's expiry by the Clock from expires_in, so that expiry follows the Clock.
func (c *Client) stamp(tok *oauth2.Token) {
	if tok.ExpiresIn > 0 {
		tok.Expiry = c.cfg.Clock.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
}

// tokenError turns a failure of the token endpoint into a coach error. refresh tells a refresh
// (where invalid_grant means the connection is gone) from a code exchange.
func tokenError(ctx context.Context, err error, refresh bool) error {
	if ctx.Err() != nil {
		return ended(ctx, nil)
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return coach.Errorf(coach.EUNAVAILABLE, "coinbase's token endpoint is unreachable or answered malformed; try again later")
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	switch {
	case re.ErrorCode == "invalid_grant" || refresh && status == http.StatusUnauthorized && re.ErrorCode == "":
		if refresh {
			return ErrRevoked
		}
		return coach.Errorf(coach.EUNAUTHORIZED, "coinbase refused the authorization code (expired, already used, or the verifier or redirect URL does not match); start linking again")
	case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
		return coach.Errorf(coach.EINVALID, "coinbase refused the application's client credentials; check ClientID and ClientSecret")
	case status == http.StatusTooManyRequests:
		return coach.Errorf(coach.ERATELIMITED, "coinbase's token endpoint is rate limiting; try again later")
	case status >= 500 || status == 0:
		return coach.Errorf(coach.EUNAVAILABLE, "coinbase's token endpoint is unavailable (status %d); try again later", status)
	case re.ErrorCode != "":
		return coach.Errorf(coach.EINVALID, "coinbase refused the token request (%s)", wire.SafeText(re.ErrorCode, nil))
	}
	return coach.Errorf(coach.EINVALID, "coinbase refused the token request (status %d)", status)
}
