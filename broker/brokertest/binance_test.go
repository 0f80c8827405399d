package brokertest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
)

// bnGet sends a request to the fake, signed over exactly query when secret is set, and returns
// the status, the {code} of an error body and the raw body.
func bnGet(t *testing.T, f *brokertest.Binance, path, query, key, secret string) (int, int, []byte) {
	t.Helper()
	if secret != "" {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(query))
		query += "&signature=" + hex.EncodeToString(m.Sum(nil))
	}
	req, _ := http.NewRequest(http.MethodGet, f.URL()+path+"?"+query, nil)
	if key != "" {
		req.Header.Set("X-MBX-APIKEY", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		Code int `json:"code"`
	}
	_ = json.Unmarshal(body, &e)
	return resp.StatusCode, e.Code, body
}

// TestBinanceRefuses checks the rules the fake enforces as Binance does, each with its code.
func TestBinanceRefuses(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	f := brokertest.NewBinance(brokertest.BinanceConfig{Clock: clock})
	defer f.Close()
	f.AddFills(100)
	key, secret := f.Config().APIKey, f.Config().SecretKey
	ts := strconv.FormatInt(clock.Now().UnixMilli(), 10)
	day := int64(24 * time.Hour / time.Millisecond)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for _, tc := range []struct {
		name, path, query, key, secret string
		status, code                   int
	}{
		{"fine", "/api/v3/myTrades", "symbol=BTCUSDT&recvWindow=5000&timestamp=" + ts, key, secret, 200, 0},
		{"no key", "/api/v3/myTrades", "symbol=BTCUSDT&timestamp=" + ts, "", secret, 401, -2014},
		{"wrong key", "/api/v3/myTrades", "symbol=BTCUSDT&timestamp=" + ts, "other", secret, 401, -2015},
		{"wrong secret", "/api/v3/myTrades", "symbol=BTCUSDT&timestamp=" + ts, key, "other", 400, -1022},
		{"old timestamp", "/api/v3/myTrades", "symbol=BTCUSDT&recvWindow=5000&timestamp=" + strconv.FormatInt(clock.Now().UnixMilli()-6000, 10), key, secret, 400, -1021},
		{"timestamp ahead", "/api/v3/myTrades", "symbol=BTCUSDT&timestamp=" + strconv.FormatInt(clock.Now().UnixMilli()+1500, 10), key, secret, 400, -1021},
		{"no symbol", "/api/v3/myTrades", "timestamp=" + ts, key, secret, 400, -1102},
		{"unknown symbol", "/api/v3/myTrades", "symbol=XRPUSDT&timestamp=" + ts, key, secret, 400, -1121},
		{"window over 24h", "/api/v3/myTrades", "symbol=BTCUSDT&startTime=" + strconv.FormatInt(start, 10) + "&endTime=" + strconv.FormatInt(start+day+1, 10) + "&timestamp=" + ts, key, secret, 400, -1127},
		{"window of 24h", "/api/v3/myTrades", "symbol=BTCUSDT&startTime=" + strconv.FormatInt(start, 10) + "&endTime=" + strconv.FormatInt(start+day, 10) + "&timestamp=" + ts, key, secret, 200, 0},
		{"fromId with time", "/api/v3/myTrades", "symbol=BTCUSDT&fromId=1&startTime=" + strconv.FormatInt(start, 10) + "&timestamp=" + ts, key, secret, 400, -1128},
		{"limit over 1000", "/api/v3/myTrades", "symbol=BTCUSDT&limit=1001&timestamp=" + ts, key, secret, 400, -1100},
		{"bad interval", "/api/v3/klines", "symbol=BTCUSDT&interval=2m", "", "", 400, -1120},
		{"klines", "/api/v3/klines", "symbol=BTCUSDT&interval=1h&limit=3", "", "", 200, 0},
	} {
		status, code, body := bnGet(t, f, tc.path, tc.query, tc.key, tc.secret)
		if status != tc.status || code != tc.code {
			t.Errorf("%s: %d %d (%s), want %d %d", tc.name, status, code, body, tc.status, tc.code)
		}
	}
}

// TestBinanceWeight: each answer reports the minute's used weight; past the limit the fake
// answers 429 with Retry-After until the next minute.
func TestBinanceWeight(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 30, 0, time.UTC))
	f := brokertest.NewBinance(brokertest.BinanceConfig{Clock: clock, WeightLimit: 100})
	defer f.Close()
	get := func() *http.Response {
		resp, err := http.Get(f.URL() + "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := 1; i <= 50; i++ {
		if resp := get(); resp.StatusCode != 200 || resp.Header.Get("X-MBX-USED-WEIGHT-1M") != strconv.Itoa(2*i) {
			t.Fatalf("request %d: %d, weight %s", i, resp.StatusCode, resp.Header.Get("X-MBX-USED-WEIGHT-1M"))
		}
	}
	if resp := get(); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "30" {
		t.Fatalf("past the limit: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	clock.Advance(30 * time.Second)
	if resp := get(); resp.StatusCode != 200 || resp.Header.Get("X-MBX-USED-WEIGHT-1M") != "2" {
		t.Fatalf("next minute: %d, weight %s", resp.StatusCode, resp.Header.Get("X-MBX-USED-WEIGHT-1M"))
	}
}

// TestBinanceAddFills: trades are deterministic for a seed, ids grow with time per symbol, and
// every trade validates.
func TestBinanceAddFills(t *testing.T) {
	t.Parallel()
	a := brokertest.NewBinance(brokertest.BinanceConfig{Seed: 3})
	defer a.Close()
	b := brokertest.NewBinance(brokertest.BinanceConfig{Seed: 3})
	defer b.Close()
	ta, tb := a.AddFills(500), b.AddFills(500)
	if len(ta) < 500 || len(ta) != len(tb) {
		t.Fatalf("%d and %d trades", len(ta), len(tb))
	}
	for i := range ta {
		if ta[i].ExtID != tb[i].ExtID || !ta[i].Price.Equal(tb[i].Price) || !ta[i].TS.Equal(tb[i].TS) {
			t.Fatalf("trade %d differs between equal seeds", i)
		}
		if err := ta[i].Validate(); err != nil {
			t.Fatal(err)
		}
	}
}

// The request hook sees each request before it is answered, and a hook that blocks holds the
// request in flight until it returns.
func TestBinanceRequestHookHoldsRequests(t *testing.T) {
	f := brokertest.NewBinance(brokertest.BinanceConfig{})
	defer f.Close()
	arrived, release := make(chan string, 1), make(chan struct{})
	f.SetRequestHook(func(r *http.Request) {
		arrived <- r.URL.Path
		<-release
	})
	answered := make(chan int, 1)
	go func() {
		code, _, _ := bnGet(t, f, "/api/v3/time", "", "", "")
		answered <- code
	}()
	if path := <-arrived; path != "/api/v3/time" {
		t.Fatalf("the hook saw %q", path)
	}
	select {
	case code := <-answered:
		t.Fatalf("answered %d while the hook held the request", code)
	default:
	}
	if n := f.Requests(); n != 0 {
		t.Fatalf("%d requests counted while held", n)
	}
	close(release)
	if code := <-answered; code != http.StatusOK {
		t.Fatalf("after the release: %d", code)
	}
	f.SetRequestHook(nil)
	if code, _, _ := bnGet(t, f, "/api/v3/time", "", "", ""); code != http.StatusOK || f.Requests() != 2 {
		t.Fatalf("without the hook: %d, %d requests", code, f.Requests())
	}
}
