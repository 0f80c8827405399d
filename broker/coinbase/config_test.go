package coinbase_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/coinbase"
	"golang.org/x/oauth2"
)

// TestNewValidates: New takes the defaults for zero fields and refuses each field out of range.
func TestNewValidates(t *testing.T) {
	t.Parallel()
	if _, err := coinbase.New(coinbase.Config{}); err != nil {
		t.Fatalf("zero config: %v", err)
	}
	tokens := coinbase.NewMemoryTokens(&oauth2.Token{AccessToken: "a"})
	for _, tc := range []struct {
		name string
		cfg  coinbase.Config
	}{
		{"BaseURL", coinbase.Config{BaseURL: "api.coinbase.com"}},
		{"TokenURL", coinbase.Config{TokenURL: "ftp://x"}},
		{"RedirectURL", coinbase.Config{RedirectURL: "/relative"}},
		{"Tokens without client", coinbase.Config{Tokens: tokens}},
		{"PageSize", coinbase.Config{PageSize: 1001}},
		{"Window", coinbase.Config{Window: time.Second}},
		{"MaxAttempts", coinbase.Config{MaxAttempts: 21}},
		{"BaseDelay", coinbase.Config{BaseDelay: -time.Second}},
		{"MaxDelay", coinbase.Config{BaseDelay: time.Minute, MaxDelay: time.Second}},
	} {
		if _, err := coinbase.New(tc.cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: %v, want invalid", tc.name, err)
		}
	}
}
