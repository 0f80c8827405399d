package config_test

import (
	"strings"
	"testing"

	"github.com/tradecoach/coach/refhost/config"
)

// TestBrokerSettings: the broker hosts default to the real APIs; the KEK is exactly 32 bytes of
// hex, and it and the Coinbase client secret are environment-only.
func TestBrokerSettings(t *testing.T) {
	c, err := config.Load("refhost", []string{"-coinbase-client-id", "app", "-binance-api-url", "http://127.0.0.1:1"}, env(map[string]string{
		"REFHOST_KEK": strings.Repeat("0f", 32), "REFHOST_COINBASE_CLIENT_SECRET": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.KEK) != 32 || c.CoinbaseClientID != "app" || c.CoinbaseClientSecret.Reveal() != "s3cret" || c.BinanceAPIURL != "http://127.0.0.1:1" ||
		c.CoinbaseAPIURL != "https://api.coinbase.com" || c.CoinbaseOAuthURL != "https://login.coinbase.com" {
		t.Fatalf("config: %+v", c)
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{env: map[string]string{"REFHOST_KEK": strings.Repeat("0f", 33)}, want: "REFHOST_KEK"},
		{env: map[string]string{"REFHOST_KEK": "not hex"}, want: "64 hex digits"},
		{args: []string{"-kek", strings.Repeat("0f", 32)}, want: "kek"},
		{args: []string{"-coinbase-client-secret", "s"}, want: "coinbase-client-secret"},
	} {
		_, err := config.Load("refhost", tc.args, env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%v, %v) = %v, want an error naming %q", tc.args, tc.env, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), strings.Repeat("0f", 32)) {
			t.Errorf("the error quotes the key: %v", err)
		}
	}
}
