package binance_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/binance"
)

// TestNewValidates: New takes the defaults for zero fields and refuses each field out of range.
func TestNewValidates(t *testing.T) {
	t.Parallel()
	if _, err := binance.New(binance.Config{}); err != nil {
		t.Fatalf("zero config: %v", err)
	}
	for _, tc := range []struct {
		name string
		cfg  binance.Config
	}{
		{"BaseURL", binance.Config{BaseURL: "api.binance.com"}},
		{"key without secret", binance.Config{APIKey: "k"}},
		{"RecvWindow", binance.Config{RecvWindow: 61 * time.Second}},
		{"PageSize", binance.Config{PageSize: 1001}},
		{"Window", binance.Config{Window: 25 * time.Hour}},
		{"WeightLimit", binance.Config{WeightLimit: 10}},
		{"SlowdownAt", binance.Config{SlowdownAt: 1.5}},
		{"MaxAttempts", binance.Config{MaxAttempts: 21}},
		{"MaxDelay", binance.Config{BaseDelay: time.Minute, MaxDelay: time.Second}},
		{"Symbols", binance.Config{Symbols: []coach.Symbol{"BTCUSDT"}}},
		{"QuoteAssets", binance.Config{QuoteAssets: []string{"USDT", "usdc"}}},
	} {
		if _, err := binance.New(tc.cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: %v, want invalid", tc.name, err)
		}
	}
}
