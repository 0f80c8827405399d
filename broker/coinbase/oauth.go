package coinbase

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"golang.org/x/oauth2"
)

// Link is one OAuth2 authorization in progress. Send the user to URL; keep State and Verifier on
// the server (never in the browser) until Coinbase redirects back, then call FinishLink.
type Link struct {
	// URL is Coinbase's authorize page with client_id, redirect_uri, scope, state and the PKCE
	// S256 challenge.
	URL string
	// State is a fresh random value (43 characters) that the redirect must echo.
	State string
	// Verifier is the PKCE code verifier whose S256 challenge is in URL: a secret until the
	// exchange, so a seal.Token (it never prints; Reveal gives it to store in the session).
	Verifier seal.Token
}

// StartLink begins linking a Coinbase account: a fresh state and PKCE verifier and the authorize
// URL that carries them. EINVALID when ClientID or RedirectURL is not configured.
func (c *Client) StartLink() (Link, error) {
	if !c.constructed() {
		return Link{}, errNotConstructed
	}
	if c.cfg.ClientID == "" || c.cfg.RedirectURL == "" {
		return Link{}, coach.Errorf(coach.EINVALID, "coinbase: linking needs ClientID and RedirectURL")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Link{}, coach.Errorf(coach.EUNAVAILABLE, "coinbase: no randomness for the state")
	}
	state := base64.RawURLEncoding.EncodeToString(b[:])
	verifier := oauth2.GenerateVerifier()
	return Link{
		URL:      c.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)),
		State:    state,
		Verifier: seal.NewToken(verifier),
	}, nil
}

// FinishLink completes linking: it checks that the redirect's state matches link.State and
// exchanges code (with link.Verifier) for tokens. The returned token has a refresh token when
// offline_access was granted, and its Expiry follows the Clock. EINVALID for a state mismatch or a
// missing code, EUNAUTHORIZED when Coinbase refuses the code.
func (c *Client) FinishLink(ctx context.Context, link Link, state, code string) (*oauth2.Token, error) {
	if !c.constructed() {
		return nil, errNotConstructed
	}
	switch {
	case link.State == "" || link.Verifier.IsZero():
		return nil, coach.Errorf(coach.EINVALID, "coinbase: no link in progress")
	case subtle.ConstantTimeCompare([]byte(state), []byte(link.State)) != 1:
		return nil, coach.Errorf(coach.EINVALID, "coinbase: the redirect's state does not match the link in progress")
	case code == "":
		return nil, coach.Errorf(coach.EINVALID, "coinbase: the redirect carries no code (the user may have denied access)")
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, c.cfg.HTTPClient)
	tok, err := c.oauth.Exchange(hctx, code, oauth2.VerifierOption(link.Verifier.Reveal()))
	if err != nil {
		return nil, tokenError(ctx, err, false)
	}
	c.stamp(tok)
	return tok, nil
}

// Revoke asks Coinbase to revoke tok's access token (which ends the grant). Coinbase answers 200
// whether or not the token was still valid, so a nil error means only that the request was
// accepted.
func (c *Client) Revoke(ctx context.Context, tok *oauth2.Token) error {
	if !c.constructed() {
		return errNotConstructed
	}
	if tok == nil || tok.AccessToken == "" {
		return coach.Errorf(coach.EINVALID, "coinbase: revoke needs an access token")
	}
	form := url.Values{
		"token":         {tok.AccessToken},
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret.Reveal()},
	}
	err := c.do(ctx, call{method: http.MethodPost, url: c.cfg.RevokeURL, form: form, bearer: tok.AccessToken})
	if err != nil && coach.ErrorCode(err) == coach.EUNAUTHORIZED {
		return nil // the token was already dead: revoked is what the caller wanted
	}
	return err
}
