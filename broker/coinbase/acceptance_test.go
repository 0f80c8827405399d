package coinbase_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/broker/seal"
	"golang.org/x/oauth2"
)

// sleeps records the waits a client asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.ds = append(s.ds, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.ds...)
}

type harness struct {
	fake   *brokertest.Coinbase
	client *coinbase.Client
	store  *coinbase.MemoryTokens
	sleeps *sleeps
	clock  *coach.ManualClock
	from   time.Time
	to     time.Time
}

// newHarness starts a fake Coinbase with n fills over 30 days and a client linked to it.
func newHarness(t *testing.T, n int, mutate func(*coinbase.Config)) *harness {
	t.Helper()
	clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	fake := brokertest.NewCoinbase(brokertest.CoinbaseConfig{Clock: clock, FillsFrom: from, FillsTo: from.Add(30 * 24 * time.Hour), Seed: 7})
	t.Cleanup(fake.Close)
	fake.AddFills(n)
	h := &harness{fake: fake, store: coinbase.NewMemoryTokens(fake.Grant()), sleeps: &sleeps{}, clock: clock,
		from: from, to: from.Add(30 * 24 * time.Hour)}
	cfg := coinbase.Config{
		BaseURL: fake.URL(), AuthURL: fake.AuthURL(), TokenURL: fake.TokenURL(), RevokeURL: fake.RevokeURL(),
		ClientID: fake.Config().ClientID, ClientSecret: seal.NewToken(fake.Config().ClientSecret), RedirectURL: fake.Config().RedirectURL,
		Tokens: h.store, Clock: clock, Sleep: h.sleeps.sleep, Window: 24 * time.Hour,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := coinbase.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	return h
}

// collect runs Fills and returns every trade and page, checking the page contract as it goes.
func (h *harness) collect(t *testing.T, req broker.FillsRequest) ([]coach.Trade, []broker.FillPage, error) {
	t.Helper()
	var trades []coach.Trade
	var pages []broker.FillPage
	err := h.client.Fills(context.Background(), req, func(p broker.FillPage) error {
		if p.Scope != coinbase.Scope || len(p.Trades) == 0 {
			t.Fatalf("page scope %q with %d trades", p.Scope, len(p.Trades))
		}
		for _, tr := range p.Trades {
			if err := tr.Validate(); err != nil {
				t.Fatalf("invalid trade: %v", err)
			}
			if n := len(trades); n > 0 && tr.TS.Before(trades[n-1].TS) {
				t.Fatalf("trade %s at %s after one at %s: not oldest first", tr.ExtID, tr.TS, trades[n-1].TS)
			}
			trades = append(trades, tr)
		}
		pages = append(pages, p)
		return nil
	})
	return trades, pages, err
}

// TestFillsThirtyDays imports 30 days of 10,500 fills across many pages while the fake rate
// limits in the middle and expires the access token in the middle: every fill arrives exactly
// once, the waits follow Retry-After, and the rotated refresh token is persisted.
func TestFillsThirtyDays(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 10_500, nil)
	h.fake.RateLimitAfter(40, 3, "1")
	h.fake.ExpireAccessTokensAfter(80)

	got, pages, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to})
	if err != nil {
		t.Fatalf("Fills: %v", err)
	}
	want := h.fake.Trades()
	if len(want) != 10_500 {
		t.Fatalf("fake made %d trades", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trades (-want +got):\n%s", diff)
	}
	if len(pages) < 40 {
		t.Errorf("%d pages, want many", len(pages))
	}
	if diff := cmp.Diff([]time.Duration{time.Second, time.Second, time.Second}, h.sleeps.all()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if h.fake.Refreshes() != 1 {
		t.Errorf("%d refreshes, want 1", h.fake.Refreshes())
	}
	stored, _ := h.store.Token(context.Background())
	if last := h.fake.LastIssued(); stored.RefreshToken != last.RefreshToken || stored.AccessToken != last.AccessToken {
		t.Error("the rotated token was not persisted")
	}
}

// TestFillsResume stops an import midway (as a crash would) and resumes from the last checkpoint
// stored: together the two runs give every fill.
func TestFillsResume(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 3000, nil)
	stop := errors.New("crash")
	var first []coach.Trade
	checkpoint := ""
	err := h.client.Fills(context.Background(), broker.FillsRequest{From: h.from, To: h.to}, func(p broker.FillPage) error {
		if len(first) > 1200 {
			return stop
		}
		first = append(first, p.Trades...)
		checkpoint = p.Checkpoint
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Fills: %v, want the emit error", err)
	}
	rest, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to, Checkpoints: map[string]string{coinbase.Scope: checkpoint}})
	if err != nil {
		t.Fatal(err)
	}
	if rest[0].TS.Before(first[len(first)-1].TS) {
		t.Errorf("resumed at %s, before the checkpoint %s", rest[0].TS, checkpoint)
	}
	byID := map[string]coach.Trade{}
	for _, tr := range append(first, rest...) {
		byID[tr.ExtID] = tr
	}
	for _, w := range h.fake.Trades() {
		if _, ok := byID[w.ExtID]; !ok {
			t.Fatalf("trade %s lost across the resume", w.ExtID)
		}
	}
	if len(byID) != 3000 {
		t.Errorf("%d distinct trades, want 3000", len(byID))
	}
}

// TestFillsSymbolsAndRange restricts the import to one product and a sub-range.
func TestFillsSymbolsAndRange(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2000, nil)
	from, to := h.from.Add(3*24*time.Hour+time.Hour), h.from.Add(9*24*time.Hour)
	got, _, err := h.collect(t, broker.FillsRequest{From: from, To: to, Symbols: []coach.Symbol{"ETH-USD"}})
	if err != nil {
		t.Fatal(err)
	}
	var want []coach.Trade
	for _, tr := range h.fake.Trades() {
		if tr.Symbol == "ETH-USD" && !tr.TS.Before(from) && tr.TS.Before(to) {
			want = append(want, tr)
		}
	}
	if len(want) == 0 {
		t.Fatal("no ETH-USD trades in range")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestFillsExpiredRefreshToken: when the access token expires and the refresh token is refused,
// the import stops with ErrRevoked (EUNAUTHORIZED), the sign to mark the connection revoked.
func TestFillsExpiredRefreshToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 500, nil)
	h.fake.ExpireRefreshTokens()
	h.fake.ExpireAccessTokensAfter(3)
	_, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to})
	if !errors.Is(err, coinbase.ErrRevoked) || coach.ErrorCode(err) != coach.EUNAUTHORIZED {
		t.Fatalf("err = %v, want ErrRevoked", err)
	}
}

// TestFillsRateLimitGivesUp: a rate limit that outlasts the retries is ERATELIMITED after
// MaxAttempts tries; a Retry-After beyond MaxDelay gives up without waiting.
func TestFillsRateLimitGivesUp(t *testing.T) {
	t.Parallel()
	t.Run("attempts", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, 10, func(c *coinbase.Config) { c.MaxAttempts = 4 })
		h.fake.RateLimitAfter(0, 100, "")
		_, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to})
		if coach.ErrorCode(err) != coach.ERATELIMITED {
			t.Fatalf("err = %v, want rate_limited", err)
		}
		want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} // BaseDelay doubling
		if diff := cmp.Diff(want, h.sleeps.all()); diff != "" {
			t.Errorf("waits (-want +got):\n%s", diff)
		}
		if h.fake.Requests() != 4 {
			t.Errorf("%d requests, want 4", h.fake.Requests())
		}
	})
	t.Run("long Retry-After", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, 10, nil)
		h.fake.RateLimitAfter(0, 1, "3600")
		_, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to})
		if coach.ErrorCode(err) != coach.ERATELIMITED || len(h.sleeps.all()) != 0 {
			t.Fatalf("err = %v after %d waits, want rate_limited at once", err, len(h.sleeps.all()))
		}
	})
	t.Run("context canceled while waiting", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		h := newHarness(t, 10, func(c *coinbase.Config) {
			c.Sleep = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
		})
		h.fake.RateLimitAfter(0, 1, "1")
		err := h.client.Fills(ctx, broker.FillsRequest{From: h.from, To: h.to}, func(broker.FillPage) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

// TestFillsServerErrors: 5xx answers are retried; errors the server means are mapped to codes.
func TestFillsServerErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		body   string
		times  int
		code   coach.Code
	}{
		{"503 then fine", 503, "<html>unavailable</html>", 2, ""},
		{"500 forever", 500, "oops", 100, coach.EUNAVAILABLE},
		{"403 scopes", 403, `{"error":"PERMISSION_DENIED","error_details":"Missing required scopes","message":"Missing required scopes"}`, 1, coach.EFORBIDDEN},
		{"400", 400, `{"error":"INVALID_ARGUMENT","message":"bad"}`, 1, coach.EINVALID},
		{"malformed 200", 200, `{"fills":[{"price":`, 1, coach.EUNAVAILABLE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 100, nil)
			h.fake.FailNext(tc.times, tc.status, tc.body)
			got, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to})
			if coach.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want code %q", err, tc.code)
			}
			if tc.code == "" && len(got) != 100 {
				t.Errorf("%d trades, want 100", len(got))
			}
		})
	}
}

// TestLink runs the OAuth2 flow against the fake: authorize with PKCE S256 and state, exchange,
// and the refusals of a wrong state, a wrong verifier and a reused code.
func TestLink(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 0, nil)
	ctx := context.Background()
	authorize := func(link coinbase.Link) url.Values {
		t.Helper()
		u, _ := url.Parse(link.URL)
		if q := u.Query(); q.Get("code_challenge_method") != "S256" || q.Get("state") != link.State || q.Get("code_challenge") == "" {
			t.Fatalf("authorize URL lacks PKCE or state: %s", u.RawQuery)
		}
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(link.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || err != nil {
			t.Fatalf("authorize: %d %v", resp.StatusCode, err)
		}
		return loc.Query()
	}

	link, err := h.client.StartLink()
	if err != nil {
		t.Fatal(err)
	}
	back := authorize(link)
	tok, err := h.client.FinishLink(ctx, link, back.Get("state"), back.Get("code"))
	if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" || !tok.Expiry.Equal(h.clock.Now().Add(time.Hour)) {
		t.Fatalf("FinishLink: %+v, %v", tok, err)
	}
	if _, err := h.client.FinishLink(ctx, link, back.Get("state"), back.Get("code")); coach.ErrorCode(err) != coach.EUNAUTHORIZED {
		t.Errorf("reused code: %v, want unauthorized", err)
	}

	link2, _ := h.client.StartLink()
	back2 := authorize(link2)
	if _, err := h.client.FinishLink(ctx, link2, "forged-state", back2.Get("code")); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("wrong state: %v, want invalid", err)
	}
	wrong := link2
	wrong.Verifier = seal.NewToken(oauth2.GenerateVerifier())
	if _, err := h.client.FinishLink(ctx, wrong, back2.Get("state"), back2.Get("code")); coach.ErrorCode(err) != coach.EUNAUTHORIZED {
		t.Errorf("wrong verifier: %v, want unauthorized", err)
	}
}

// TestRevoke: after Revoke the access token no longer works and neither does its refresh token.
func TestRevoke(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 10, nil)
	ctx := context.Background()
	tok, _ := h.store.Token(ctx)
	if err := h.client.Revoke(ctx, tok); err != nil {
		t.Fatal(err)
	}
	_, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to})
	if !errors.Is(err, coinbase.ErrRevoked) {
		t.Fatalf("after revoke: %v, want ErrRevoked", err)
	}
}

// TestCandles reads a day of minutes (five requests of at most 300) and an hourly month, oldest
// first, aligned, inside the range, with the fake's gaps left out; also through the public
// endpoint of a client without tokens.
func TestCandles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 0, nil)
	public, err := coinbase.New(coinbase.Config{BaseURL: h.fake.URL(), Sleep: h.sleeps.sleep})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2024, 1, 3, 0, 0, 30, 0, time.UTC)
	for _, tc := range []struct {
		client   *coinbase.Client
		interval coach.Interval
		to       time.Time
		min      int
	}{
		{h.client, coach.Minute1, from.Add(24 * time.Hour), 1400},
		{public, coach.Minute1, from.Add(24 * time.Hour), 1400},
		{h.client, coach.Hour1, from.Add(30 * 24 * time.Hour), 700},
		{h.client, coach.Day1, from.Add(400 * 24 * time.Hour), 390},
	} {
		before := h.fake.Requests()
		got, err := tc.client.Candles(context.Background(), "BTC-USD", tc.interval, from, tc.to)
		if err != nil {
			t.Fatalf("%s: %v", tc.interval, err)
		}
		if len(got) < tc.min {
			t.Errorf("%s: %d candles, want at least %d", tc.interval, len(got), tc.min)
		}
		for i, c := range got {
			if err := c.Validate(); err != nil || c.OpenTime.Before(from) || !c.OpenTime.Before(tc.to) || i > 0 && !c.OpenTime.After(got[i-1].OpenTime) {
				t.Fatalf("%s: candle %d at %s out of order, range or invalid (%v)", tc.interval, i, c.OpenTime, err)
			}
		}
		span := tc.to.Sub(from)
		if want := int(span/(300*tc.interval.Duration())) + 1; h.fake.Requests()-before > want+1 {
			t.Errorf("%s: %d requests, want about %d", tc.interval, h.fake.Requests()-before, want)
		}
	}
	if _, err := h.client.Candles(context.Background(), "NOPE-USD", coach.Hour1, from, from.Add(time.Hour)); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("unknown product: %v, want not_found", err)
	}
	if _, err := h.client.Candles(context.Background(), "BTC-USD", "3m", from, from.Add(time.Hour)); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("unknown interval: %v, want invalid", err)
	}
}
