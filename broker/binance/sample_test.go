package binance

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/seal"
)

// TestSignVectors checks Sign against the three worked examples of Binance's documentation.
func TestSignVectors(t *testing.T) {
	t.Parallel()
	const secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
	for _, tc := range []struct{ payload, want string }{
		{"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
			"c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"},
		{"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
			"0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"},
		{"symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
			"e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"},
	} {
		if got := sign(secret, tc.payload); got != tc.want {
			t.Errorf("sign(%q) = %s, want %s", tc.payload, got, tc.want)
		}
	}
}

// TestQuerySignsWhatIsSent: the signature covers exactly the bytes sent before it, which end with
// recvWindow and the offset-corrected timestamp, and it comes last.
func TestQuerySignsWhatIsSent(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.UnixMilli(1499827319000))
	c, err := New(Config{APIKey: "k", SecretKey: seal.NewToken("s3cret"), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	c.offset.Store(559)
	q := c.query(request{signed: true, params: []param{{"symbol", "LTCBTC"}, {"note", "a b&c"}}})
	want := "symbol=LTCBTC&note=a+b%26c&recvWindow=5000&timestamp=1499827319559"
	if q != want+"&signature="+sign("s3cret", want) {
		t.Errorf("query = %s", q)
	}
}

// sampleServer answers one path with a file from testdata; /api/v3/time answers, and myTrades
// with fromId answers [].
type sampleServer struct {
	path   string
	status int
	body   []byte
}

func (s *sampleServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == s.path && !r.URL.Query().Has("fromId"):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(s.status)
		_, _ = w.Write(s.body)
	case r.URL.Path == "/api/v3/time":
		_, _ = w.Write([]byte(`{"serverTime":1499827319559}`))
	case r.URL.Path == "/api/v3/myTrades":
		_, _ = w.Write([]byte(`[]`))
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// TestSamples feeds every captured Binance answer in testdata through the client and checks the
// trade, candle, clock offset or error it becomes. A file without a case fails the test.
func TestSamples(t *testing.T) {
	t.Parallel()
	type want struct {
		trades  []coach.Trade
		candles []coach.Candle
		offset  int64
		code    coach.Code
	}
	cases := []struct {
		file   string
		path   string
		status int
		want   want
	}{
		{"binance_mytrades.json", "/api/v3/myTrades", 200, want{trades: []coach.Trade{{
			Broker: "binance", ExtID: "BNBBTC:28457:B", Symbol: "BNB-BTC", Side: coach.Buy,
			Qty: decimal.RequireFromString("12"), Price: decimal.RequireFromString("4.000001"),
			Fee: decimal.NewNullDecimal(decimal.RequireFromString("10.1")), FeeAsset: "BNB", TS: time.UnixMilli(1499865549590).UTC(),
			OrderID: "100234", ExchangeTradeID: "28457", Liquidity: coach.Taker}}}}, // "isMaker": false
		{"binance_klines.json", "/api/v3/klines", 200, want{candles: []coach.Candle{{
			Symbol: "BNB-BTC", Interval: coach.Day1, OpenTime: time.UnixMilli(1499040000000).UTC(),
			Open: 0.01634790, High: 0.8, Low: 0.015758, Close: 0.015771, Volume: 148976.11427815}}}},
		{"binance_klines_annotated.jsonc", "/api/v3/klines", 200, want{code: coach.EUNAVAILABLE}}, // comments are not JSON
		{"binance_server_time.json", "/api/v3/time", 200, want{offset: 1499827319559 - 1499827000000}},
		{"binance_error_-1003_418.json", "/api/v3/myTrades", 418, want{code: coach.ERATELIMITED}},
		{"binance_error_-1003_429.json", "/api/v3/myTrades", 429, want{code: coach.ERATELIMITED}},
		{"binance_error_-1021_ahead.json", "/api/v3/myTrades", 400, want{code: coach.EUNAVAILABLE, offset: 1499827319559 - 1499827000000}},
		{"binance_error_-1021_timestamp.json", "/api/v3/myTrades", 400, want{code: coach.EUNAVAILABLE, offset: 1499827319559 - 1499827000000}},
		{"binance_error_-1022_signature.json", "/api/v3/myTrades", 400, want{code: coach.EUNAUTHORIZED}},
		{"binance_error_-1102_symbol.json", "/api/v3/myTrades", 400, want{code: coach.EINVALID}},
		{"binance_error_-1120_interval.json", "/api/v3/klines", 400, want{code: coach.EINVALID}},
		{"binance_error_-1127_window.json", "/api/v3/myTrades", 400, want{code: coach.EINVALID}},
		{"binance_error_-1128_bad_combo.json", "/api/v3/myTrades", 400, want{code: coach.EINVALID}},
		{"binance_error_-2014_key_format.json", "/api/v3/myTrades", 401, want{code: coach.EUNAUTHORIZED}},
		{"binance_error_-2015_invalid_key.json", "/api/v3/myTrades", 401, want{code: coach.EUNAUTHORIZED}},
		{"binance_error_generic_-1121.json", "/api/v3/myTrades", 400, want{code: coach.ENOTFOUND}},
	}
	files, err := filepath.Glob("testdata/binance_*")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.file] = true
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("testdata/%s has no case", filepath.Base(f))
		}
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(&sampleServer{path: tc.path, status: tc.status, body: body})
			defer srv.Close()
			clock := coach.NewManualClock(time.UnixMilli(1499827000000))
			c, err := New(Config{BaseURL: srv.URL, APIKey: "key", SecretKey: seal.NewToken("secret"), Clock: clock, MaxAttempts: 3,
				Sleep: func(context.Context, time.Duration) error { return nil }})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			var got want
			switch {
			case tc.path == "/api/v3/time":
				err = c.SyncClock(ctx)
			case tc.path == "/api/v3/klines":
				from := time.UnixMilli(1499040000000).UTC()
				got.candles, err = c.Candles(ctx, "BNB-BTC", coach.Day1, from, from.Add(24*time.Hour))
			default:
				from := time.Date(2017, 7, 12, 0, 0, 0, 0, time.UTC)
				err = c.Fills(ctx, broker.FillsRequest{From: from, To: from.Add(24 * time.Hour), Symbols: []coach.Symbol{"BNB-BTC"}},
					func(p broker.FillPage) error { got.trades = append(got.trades, p.Trades...); return nil })
			}
			got.code = coach.ErrorCode(err)
			got.offset = c.offset.Load()
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("(-want +got):\n%s\nerr: %v", diff, err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("error carries the secret: %v", err)
			}
		})
	}
}
