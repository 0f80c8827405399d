package binance_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/internal/secrettest"
)

// TestErrorsKeepSecrets drives every error path with a recognizable key and secret, which the
// server echoes in its error bodies, and checks that neither (nor any signature) appears in the
// error text.
func TestErrorsKeepSecrets(t *testing.T) {
	t.Parallel()
	const key, secret = "KEY-recognizable-9d0e", "SECRET-recognizable-61fa"
	echo := key + " " + secret
	unreachable := secrettest.HangUpURL(t)
	for _, tc := range []struct {
		name  string
		base  string // when not the fake
		key   string // the client's key, when not key
		fault func(f *brokertest.Binance)
	}{
		{name: "400 echo", fault: func(f *brokertest.Binance) { f.FailNext(1, 400, `{"code":-1100,"msg":"bad `+echo+`"}`) }},
		{name: "401 echo", fault: func(f *brokertest.Binance) { f.FailNext(1, 401, `{"code":-2015,"msg":"`+echo+`"}`) }},
		{name: "403 echo", fault: func(f *brokertest.Binance) { f.FailNext(1, 403, echo) }},
		{name: "404 echo", fault: func(f *brokertest.Binance) { f.FailNext(1, 404, `{"code":-1,"msg":"`+echo+`"}`) }},
		{name: "418 echo", fault: func(f *brokertest.Binance) { f.FailNext(5, 418, `{"code":-1003,"msg":"`+echo+`"}`) }},
		{name: "429", fault: func(f *brokertest.Binance) { f.RateLimitAfter(0, 10, "1") }},
		{name: "500 echo", fault: func(f *brokertest.Binance) { f.FailNext(10, 500, echo) }},
		{name: "-1021 twice echo", fault: func(f *brokertest.Binance) { f.FailNext(2, 400, `{"code":-1021,"msg":"`+echo+`"}`) }},
		{name: "malformed 200 echo", fault: func(f *brokertest.Binance) { f.FailNext(1, 200, `[{"symbol":"`+echo) }},
		{name: "wrong key", key: "KEY-other-31c4"},
		{name: "unreachable", base: unreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
			fake := brokertest.NewBinance(brokertest.BinanceConfig{APIKey: key, SecretKey: secret, Clock: clock})
			defer fake.Close()
			fake.AddFills(50)
			if tc.fault != nil {
				tc.fault(fake)
			}
			base, k := fake.URL(), key
			if tc.base != "" {
				base = tc.base
			}
			if tc.key != "" {
				k = tc.key
			}
			c, err := binance.New(binance.Config{BaseURL: base, APIKey: k, SecretKey: seal.NewToken(secret), Clock: clock, MaxAttempts: 2,
				Symbols: []coach.Symbol{"BTC-USDT"}, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
			if err != nil {
				t.Fatal(err)
			}
			from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			err = c.Fills(context.Background(), broker.FillsRequest{From: from, To: from.Add(30 * 24 * time.Hour)}, func(broker.FillPage) error { return nil })
			if err == nil {
				t.Fatal("no error")
			}
			text := fmt.Sprintf("%v | %+v | %s", err, err, coach.ErrorMessage(err))
			for _, s := range []string{key, secret, k, "signature=", "timestamp="} {
				if strings.Contains(text, s) {
					t.Errorf("error text carries %q: %s", s, text)
				}
			}
			if code := coach.ErrorCode(err); code == coach.EINTERNAL || code == "" {
				t.Errorf("error %v has code %q, want a coach code", err, code)
			}
		})
	}
}

// A Config and a Client never print the secret key: any verb, nested anywhere, slog and JSON.
// (The API key is an identifier Binance sends in a header; Config's own printing hides it too.)
func TestConfigAndClientNeverPrintKeys(t *testing.T) {
	t.Parallel()
	const key, secret = "KEY-recognizable-77a1", "SECRET-recognizable-4e02"
	cfg := binance.Config{APIKey: key, SecretKey: seal.NewToken(secret), Symbols: []coach.Symbol{"BTC-USDT"}}
	c, err := binance.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	secrettest.AssertRedacted(t, [][]byte{[]byte(secret)}, cfg, &cfg, c, []binance.Config{cfg})
	if s := fmt.Sprintf("%v %+v %#v %s", cfg, cfg, c, c); strings.Contains(s, key) || !strings.Contains(s, "BTC-USDT") {
		t.Errorf("Config prints its API key or nothing useful: %s", s)
	}
}
