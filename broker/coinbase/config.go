package coinbase

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/internal/wire"
)

// Coinbase's production endpoints, the defaults of Config.
const (
	DefaultBaseURL   = "https://api.coinbase.com"
	DefaultAuthURL   = "https://login.coinbase.com/oauth2/auth"
	DefaultTokenURL  = "https://login.coinbase.com/oauth2/token"
	DefaultRevokeURL = "https://login.coinbase.com/oauth2/revoke"
)

// DefaultScopes are the least the importer needs: accounts, fills (transactions), candles (user)
// and offline_access, without which Coinbase issues no refresh token.
var DefaultScopes = []string{"wallet:accounts:read", "wallet:transactions:read", "wallet:user:read", "offline_access"}

// Config configures a Client. The zero value of every field but the credentials takes its
// default; New validates the result.
type Config struct {
	// BaseURL is the Advanced Trade API host (default DefaultBaseURL); a fake server in tests.
	BaseURL string
	// AuthURL, TokenURL and RevokeURL are the OAuth2 endpoints (defaults DefaultAuthURL, …).
	AuthURL, TokenURL, RevokeURL string

	// ClientID and ClientSecret identify the OAuth application. They are needed to link a
	// connection and to refresh its tokens; a Client with neither only reads public candles.
	// ClientSecret is a seal.Token: no way of printing a Config (or a value holding one) shows it.
	ClientID     string
	ClientSecret seal.Token
	// RedirectURL is where Coinbase sends the user back with the code (required for linking).
	RedirectURL string
	// Scopes requested when linking (default DefaultScopes).
	Scopes []string

	// Tokens holds the connection's tokens. Without it the Client can link connections and read
	// public candles, but Fills is refused.
	Tokens TokenStore

	// HTTPClient sends every request (default: a client with a 30 s timeout).
	HTTPClient *http.Client
	// Clock tells token expiry (default coach.SystemClock).
	Clock coach.Clock

	// PageSize is the number of fills asked per request and emitted per FillPage (default 250,
	// at most 1000).
	PageSize int
	// Window is the span of fill time fetched and sorted at once (default 7 days).
	Window time.Duration

	// MaxAttempts bounds the tries of one request on 429, 5xx and network errors (default 6).
	MaxAttempts int
	// BaseDelay is the first wait when the server gives no Retry-After; it doubles per attempt
	// (default 1 s).
	BaseDelay time.Duration
	// MaxDelay caps one wait; a Retry-After longer than it gives up at once (default 2 min).
	MaxDelay time.Duration
	// Sleep waits d or until ctx is done (default: a timer). Tests replace it to skip waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// withDefaults returns c with every unset field at its default.
func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.AuthURL == "" {
		c.AuthURL = DefaultAuthURL
	}
	if c.TokenURL == "" {
		c.TokenURL = DefaultTokenURL
	}
	if c.RevokeURL == "" {
		c.RevokeURL = DefaultRevokeURL
	}
	if c.Scopes == nil {
		c.Scopes = DefaultScopes
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Clock == nil {
		c.Clock = coach.SystemClock{}
	}
	if c.PageSize == 0 {
		c.PageSize = 250
	}
	if c.Window == 0 {
		c.Window = 7 * 24 * time.Hour
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = wire.DefaultMaxAttempts
	}
	if c.BaseDelay == 0 {
		c.BaseDelay = wire.DefaultBaseDelay
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = wire.DefaultMaxDelay
	}
	if c.Sleep == nil {
		c.Sleep = wire.Sleep
	}
	return c
}

// Validate reports the first field out of range, by its name. It checks c as given; New applies
// the defaults first.
func (c Config) Validate() error {
	for _, u := range []struct{ name, v string }{
		{"BaseURL", c.BaseURL}, {"AuthURL", c.AuthURL}, {"TokenURL", c.TokenURL}, {"RevokeURL", c.RevokeURL},
	} {
		if !validURL(u.v) {
			return coach.Errorf(coach.EINVALID, "coinbase config: %s: want an absolute http(s) URL", u.name)
		}
	}
	switch {
	case c.RedirectURL != "" && !validURL(c.RedirectURL):
		return coach.Errorf(coach.EINVALID, "coinbase config: RedirectURL: want an absolute http(s) URL")
	case c.Tokens != nil && (c.ClientID == "" || c.ClientSecret.IsZero()):
		return coach.Errorf(coach.EINVALID, "coinbase config: ClientID and ClientSecret: required with Tokens (to refresh them)")
	case c.HTTPClient == nil:
		return coach.Errorf(coach.EINVALID, "coinbase config: HTTPClient: required")
	case c.Clock == nil:
		return coach.Errorf(coach.EINVALID, "coinbase config: Clock: required")
	case c.PageSize < 1 || c.PageSize > 1000:
		return coach.Errorf(coach.EINVALID, "coinbase config: PageSize: want 1-1000, got %d", c.PageSize)
	case c.Window < time.Minute:
		return coach.Errorf(coach.EINVALID, "coinbase config: Window: want at least a minute, got %s", c.Window)
	case c.MaxAttempts < 1 || c.MaxAttempts > 20:
		return coach.Errorf(coach.EINVALID, "coinbase config: MaxAttempts: want 1-20, got %d", c.MaxAttempts)
	case c.BaseDelay <= 0:
		return coach.Errorf(coach.EINVALID, "coinbase config: BaseDelay: must be positive")
	case c.MaxDelay < c.BaseDelay:
		return coach.Errorf(coach.EINVALID, "coinbase config: MaxDelay: must be at least BaseDelay")
	case c.Sleep == nil:
		return coach.Errorf(coach.EINVALID, "coinbase config: Sleep: required")
	}
	return nil
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// String describes c without its client secret.
func (c Config) String() string {
	return fmt.Sprintf("coinbase.Config{BaseURL:%s ClientID:%s ClientSecret:%s RedirectURL:%s Scopes:%v}", c.BaseURL, c.ClientID, c.ClientSecret, c.RedirectURL, c.Scopes)
}

// GoString is String, so that %#v hides the secret too.
func (c Config) GoString() string { return c.String() }

// Format writes String for every verb and flag.
func (c Config) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, c.String())
	}
}

// LogValue makes log/slog record the configuration without its secret.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }
