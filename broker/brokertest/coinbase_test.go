package brokertest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
	"golang.org/x/oauth2"
)

func cbGet(t *testing.T, rawURL, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// TestCoinbaseCandlesCap: a request spanning more than MaxCandles buckets is a 400
// INVALID_ARGUMENT; one of exactly 300 comes back newest first.
func TestCoinbaseCandlesCap(t *testing.T) {
	t.Parallel()
	f := brokertest.NewCoinbase(brokertest.CoinbaseConfig{})
	defer f.Close()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	u := func(end int64) string {
		return f.URL() + "/api/v3/brokerage/market/products/BTC-USD/candles?granularity=ONE_MINUTE&start=" +
			strconv.FormatInt(start, 10) + "&end=" + strconv.FormatInt(end, 10)
	}
	status, body := cbGet(t, u(start+300*60), "")
	if status != 400 || !strings.Contains(string(body), "INVALID_ARGUMENT") {
		t.Errorf("301 buckets: %d %s", status, body)
	}
	status, body = cbGet(t, u(start+299*60), "")
	var p struct {
		Candles []struct{ Start string } `json:"candles"`
	}
	if status != 200 || json.Unmarshal(body, &p) != nil || len(p.Candles) < 290 || len(p.Candles) > 300 {
		t.Fatalf("300 buckets: %d, %d candles", status, len(p.Candles))
	}
	if p.Candles[0].Start <= p.Candles[len(p.Candles)-1].Start {
		t.Errorf("not newest first: %s … %s", p.Candles[0].Start, p.Candles[len(p.Candles)-1].Start)
	}
}

// TestCoinbaseTokens: refresh tokens rotate and work once; an access token works until it
// expires; expired refresh tokens are invalid_grant.
func TestCoinbaseTokens(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	f := brokertest.NewCoinbase(brokertest.CoinbaseConfig{Clock: clock})
	defer f.Close()
	tok := f.Grant()
	fills := f.URL() + "/api/v3/brokerage/orders/historical/fills"
	if status, _ := cbGet(t, fills, tok.AccessToken); status != 200 {
		t.Fatalf("fresh token: %d", status)
	}
	refresh := func(rt string) (int, *oauth2.Token) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
			"client_id": {f.Config().ClientID}, "client_secret": {f.Config().ClientSecret}}
		resp, err := http.PostForm(f.TokenURL(), form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var next oauth2.Token
		_ = json.NewDecoder(resp.Body).Decode(&next)
		return resp.StatusCode, &next
	}
	status, next := refresh(tok.RefreshToken)
	if status != 200 || next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %d, rotated %v", status, next.RefreshToken != tok.RefreshToken)
	}
	if status, _ := refresh(tok.RefreshToken); status != 400 {
		t.Errorf("reused refresh token: %d, want 400", status)
	}
	clock.Advance(2 * time.Hour)
	if status, body := cbGet(t, fills, next.AccessToken); status != 401 || string(body) != "Unauthorized\n" {
		t.Errorf("expired access token: %d %q", status, body)
	}
	f.ExpireRefreshTokens()
	if status, _ := refresh(next.RefreshToken); status != 400 {
		t.Errorf("expired refresh token: %d, want 400", status)
	}
}
