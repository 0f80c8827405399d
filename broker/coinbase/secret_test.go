package coinbase_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/internal/secrettest"
	"golang.org/x/oauth2"
)

// TestErrorsKeepSecrets drives every error path with recognizable secrets, some echoed back by
// the server in its error bodies, and checks that no secret appears in any error's text.
func TestErrorsKeepSecrets(t *testing.T) {
	t.Parallel()
	const clientSecret = "SECRET-client-4f9a1c"
	clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	req := broker.FillsRequest{From: from, To: from.Add(48 * time.Hour)}
	noSleep := func(ctx context.Context, _ time.Duration) error { return ctx.Err() }

	type setup struct {
		fake   *brokertest.Coinbase
		tok    *oauth2.Token
		client *coinbase.Client
	}
	newSetup := func(t *testing.T, secret string, base string) setup {
		fake := brokertest.NewCoinbase(brokertest.CoinbaseConfig{Clock: clock, ClientSecret: clientSecret, FillsFrom: from})
		t.Cleanup(fake.Close)
		fake.AddFills(50)
		tok := fake.Grant()
		if base == "" {
			base = fake.URL()
		}
		c, err := coinbase.New(coinbase.Config{BaseURL: base, TokenURL: fake.TokenURL(), RevokeURL: fake.RevokeURL(), AuthURL: fake.AuthURL(),
			ClientID: fake.Config().ClientID, ClientSecret: seal.NewToken(secret), RedirectURL: fake.Config().RedirectURL,
			Tokens: coinbase.NewMemoryTokens(tok), Clock: clock, Sleep: noSleep, MaxAttempts: 2})
		if err != nil {
			t.Fatal(err)
		}
		return setup{fake, tok, c}
	}
	fills := func(s setup) error {
		return s.client.Fills(context.Background(), req, func(broker.FillPage) error { return nil })
	}
	echo := func(s setup) string { return s.tok.AccessToken + " " + s.tok.RefreshToken + " " + clientSecret }
	unreachable := secrettest.HangUpURL(t)

	for _, tc := range []struct {
		name   string
		secret string // the client's secret, when not clientSecret
		base   string
		run    func(s setup) error
	}{
		{name: "400 echo", run: func(s setup) error {
			s.fake.FailNext(1, 400, fmt.Sprintf(`{"error":"INVALID_ARGUMENT","message":"bad %s"}`, echo(s)))
			return fills(s)
		}},
		{name: "401 echo", run: func(s setup) error {
			s.fake.FailNext(2, 401, `{"errors":[{"id":"invalid_token","message":"token `+echo(s)+` is invalid"}]}`)
			return fills(s)
		}},
		{name: "403 echo", run: func(s setup) error {
			s.fake.FailNext(1, 403, `{"error":"PERMISSION_DENIED","message":"`+echo(s)+`"}`)
			return fills(s)
		}},
		{name: "404 echo", run: func(s setup) error {
			s.fake.FailNext(1, 404, `{"error":"NOT_FOUND","message":"`+echo(s)+`"}`)
			_, err := s.client.Candles(context.Background(), "BTC-USD", coach.Hour1, from, from.Add(time.Hour))
			return err
		}},
		{name: "429", run: func(s setup) error { s.fake.RateLimitAfter(0, 5, "1"); return fills(s) }},
		{name: "500 echo", run: func(s setup) error { s.fake.FailNext(5, 500, echo(s)); return fills(s) }},
		{name: "malformed 200 echo", run: func(s setup) error { s.fake.FailNext(1, 200, `{"fills":"`+echo(s)); return fills(s) }},
		{name: "refresh refused", run: func(s setup) error {
			s.fake.ExpireRefreshTokens()
			s.fake.ExpireAccessTokensAfter(0)
			return fills(s)
		}},
		{name: "client secret refused", secret: "SECRET-wrong-77b2", run: func(s setup) error {
			s.fake.ExpireAccessTokensAfter(0)
			return fills(s)
		}},
		{name: "unreachable", base: unreachable, run: fills},
		{name: "revoke with a wrong secret", secret: "SECRET-wrong-77b2", run: func(s setup) error {
			return s.client.Revoke(context.Background(), s.tok)
		}},
		{name: "bad code", run: func(s setup) error {
			link, err := s.client.StartLink()
			if err != nil {
				return err
			}
			_, err = s.client.FinishLink(context.Background(), link, link.State, "code-"+clientSecret)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			secret := clientSecret
			if tc.secret != "" {
				secret = tc.secret
			}
			s := newSetup(t, secret, tc.base)
			err := tc.run(s)
			if err == nil {
				t.Fatal("no error")
			}
			text := fmt.Sprintf("%v | %+v | %s", err, err, coach.ErrorMessage(err))
			for _, sec := range []string{clientSecret, secret, s.tok.AccessToken, s.tok.RefreshToken} {
				if strings.Contains(text, sec) {
					t.Errorf("error text carries a secret: %s", text)
				}
			}
			if code := coach.ErrorCode(err); code == coach.EINTERNAL || code == "" {
				t.Errorf("error %v has code %q, want a coach code", err, code)
			}
		})
	}
}

// A Config, a Client (holding tokens), a Link and a MemoryTokens never print the client secret,
// the PKCE verifier or a token: any verb, nested anywhere, slog and JSON.
func TestValuesNeverPrintSecrets(t *testing.T) {
	t.Parallel()
	const secret, access, refresh = "SECRET-client-8b1e", "ACCESS-tok-3c9d", "REFRESH-tok-55aa"
	tok := &oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(time.Hour)}
	cfg := coinbase.Config{ClientID: "app", ClientSecret: seal.NewToken(secret), RedirectURL: "https://host/cb",
		Tokens: coinbase.NewMemoryTokens(tok)}
	c, err := coinbase.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	link, err := c.StartLink()
	if err != nil {
		t.Fatal(err)
	}
	verifier := link.Verifier.Reveal()
	if len(verifier) < 43 {
		t.Fatalf("verifier %d characters", len(verifier))
	}
	secrettest.AssertRedacted(t, [][]byte{[]byte(secret), []byte(verifier), []byte(access), []byte(refresh)},
		cfg, &cfg, c, link, &link, []coinbase.Link{link}, coinbase.NewMemoryTokens(tok))
}
