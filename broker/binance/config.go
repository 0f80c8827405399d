package binance

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/internal/wire"
	"github.com/tradecoach/coach/storage"
)

// DefaultBudgetKey is the Budget key of clients that set no BudgetKey.
const DefaultBudgetKey = "binance:weight"

// DefaultBaseURL is Binance's production REST host.
const DefaultBaseURL = "https://api.binance.com"

// Config configures a Client. Zero fields take their defaults; New validates the result.
type Config struct {
	// BaseURL is the REST host (default DefaultBaseURL); a fake server in tests.
	BaseURL string
	// APIKey and SecretKey are the user's read-only API key pair. Both are needed for Fills;
	// neither for Candles. SecretKey is a seal.Token, so that no way of printing a Config (or a
	// value holding one) shows it; Config's own printing hides APIKey too.
	APIKey    string
	SecretKey seal.Token
	// Symbols are the pairs Fills imports when the request names none. Without them Fills
	// discovers the pairs from the account (see Client.DiscoverSymbols).
	Symbols []coach.Symbol
	// Discover makes Fills import the discovered pairs as well as Symbols when the request names
	// none (discovered ∪ Symbols ∪ checkpointed pairs).
	Discover bool
	// QuoteAssets are the quote assets discovery pairs the account's assets with (default
	// DefaultQuoteAssets).
	QuoteAssets []string

	// HTTPClient sends every request (default: a client with a 30 s timeout).
	HTTPClient *http.Client
	// Clock stamps signed requests and tells the weight minute (default coach.SystemClock).
	Clock coach.Clock
	// RecvWindow is how long after its timestamp a signed request stays valid (default 5 s, at
	// most 60 s).
	RecvWindow time.Duration

	// PageSize is the limit of myTrades and klines requests (default and maximum 1000).
	PageSize int
	// Window is the span of the startTime/endTime windows that look for a symbol's first trade
	// (default and maximum 24 h).
	Window time.Duration

	// WeightLimit is the request weight Binance allows per minute (default 6000). The client
	// waits for the next minute rather than let X-MBX-USED-WEIGHT-1M pass WeightLimit ×
	// SlowdownAt (default 0.9).
	WeightLimit int
	SlowdownAt  float64

	// Budget, when set, is where the client draws request weight from instead of its own count:
	// give every client that calls Binance from one IP (every worker, every connection) the same
	// Budget (a storage.WeightBudget shared in Redis) so that together they stay within
	// WeightLimit × SlowdownAt a minute, and a 429 or 418 pauses all of them until its
	// Retry-After ends. The budget's minutes are read on Clock corrected by Binance's offset.
	Budget storage.WeightBudget
	// BudgetKey names the budget in Budget (default DefaultBudgetKey); clients behind different
	// IPs use different keys.
	BudgetKey string

	// MaxAttempts bounds the tries of one request on 429, 418, 5xx and network errors (default 6).
	MaxAttempts int
	// BaseDelay is the first wait when the server gives no Retry-After; it doubles per attempt
	// (default 1 s).
	BaseDelay time.Duration
	// MaxDelay caps one wait; a Retry-After longer than it (an IP ban) gives up at once (default
	// 2 min).
	MaxDelay time.Duration
	// Sleep waits d or until ctx is done (default: a timer). Tests replace it to skip waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Clock == nil {
		c.Clock = coach.SystemClock{}
	}
	if c.RecvWindow == 0 {
		c.RecvWindow = 5 * time.Second
	}
	if len(c.QuoteAssets) == 0 {
		c.QuoteAssets = slices.Clone(DefaultQuoteAssets)
	}
	if c.PageSize == 0 {
		c.PageSize = 1000
	}
	if c.Window == 0 {
		c.Window = 24 * time.Hour
	}
	if c.WeightLimit == 0 {
		c.WeightLimit = 6000
	}
	if c.SlowdownAt == 0 {
		c.SlowdownAt = 0.9
	}
	if c.BudgetKey == "" {
		c.BudgetKey = DefaultBudgetKey
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
	u, err := url.Parse(c.BaseURL)
	switch {
	case err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return coach.Errorf(coach.EINVALID, "binance config: BaseURL: want an absolute http(s) URL")
	case (c.APIKey == "") != c.SecretKey.IsZero():
		return coach.Errorf(coach.EINVALID, "binance config: APIKey and SecretKey: give both or neither")
	case c.HTTPClient == nil:
		return coach.Errorf(coach.EINVALID, "binance config: HTTPClient: required")
	case c.Clock == nil:
		return coach.Errorf(coach.EINVALID, "binance config: Clock: required")
	case c.RecvWindow < time.Millisecond || c.RecvWindow > time.Minute:
		return coach.Errorf(coach.EINVALID, "binance config: RecvWindow: want 1 ms to 60 s, got %s", c.RecvWindow)
	case c.PageSize < 1 || c.PageSize > 1000:
		return coach.Errorf(coach.EINVALID, "binance config: PageSize: want 1-1000, got %d", c.PageSize)
	case c.Window < time.Minute || c.Window > 24*time.Hour:
		return coach.Errorf(coach.EINVALID, "binance config: Window: want 1 min to 24 h, got %s", c.Window)
	case c.WeightLimit < 100:
		return coach.Errorf(coach.EINVALID, "binance config: WeightLimit: want at least 100, got %d", c.WeightLimit)
	case c.SlowdownAt <= 0 || c.SlowdownAt > 1:
		return coach.Errorf(coach.EINVALID, "binance config: SlowdownAt: want (0, 1], got %g", c.SlowdownAt)
	case c.MaxAttempts < 1 || c.MaxAttempts > 20:
		return coach.Errorf(coach.EINVALID, "binance config: MaxAttempts: want 1-20, got %d", c.MaxAttempts)
	case c.BaseDelay <= 0:
		return coach.Errorf(coach.EINVALID, "binance config: BaseDelay: must be positive")
	case c.MaxDelay < c.BaseDelay:
		return coach.Errorf(coach.EINVALID, "binance config: MaxDelay: must be at least BaseDelay")
	case c.Sleep == nil:
		return coach.Errorf(coach.EINVALID, "binance config: Sleep: required")
	}
	for _, s := range c.Symbols {
		if !s.Valid() {
			return coach.Errorf(coach.EINVALID, "binance config: Symbols: %q is not BASE-QUOTE", wire.Clip(string(s)))
		}
	}
	for _, q := range c.QuoteAssets {
		if !coach.Symbol("X-" + q).Valid() {
			return coach.Errorf(coach.EINVALID, "binance config: QuoteAssets: %q is not an asset (A-Z, 0-9)", wire.Clip(q))
		}
	}
	return nil
}

// redactedKey is how Config prints a set APIKey.
const redactedKey = "[redacted]"

// String describes c without its keys.
func (c Config) String() string {
	key := ""
	if c.APIKey != "" {
		key = redactedKey
	}
	return fmt.Sprintf("binance.Config{BaseURL:%s APIKey:%s SecretKey:%s Symbols:%v Discover:%v}", c.BaseURL, key, c.SecretKey, c.Symbols, c.Discover)
}

// GoString is String, so that %#v hides the keys too.
func (c Config) GoString() string { return c.String() }

// Format writes String for every verb and flag.
func (c Config) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, c.String())
	}
}

// LogValue makes log/slog record the configuration without its keys.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }
