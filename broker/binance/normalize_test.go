package binance

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/seal"
)

func TestNormalizeTradesSample(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/binance_mytrades.json")
	if err != nil {
		t.Fatal(err)
	}
	want := []coach.Trade{{
		Broker: "binance", ExtID: "BNBBTC:28457:B", Symbol: "BNB-BTC", Side: coach.Buy,
		Qty: decimal.RequireFromString("12"), Price: decimal.RequireFromString("4.000001"),
		Fee: decimal.NewNullDecimal(decimal.RequireFromString("10.1")), FeeAsset: "BNB", TS: time.UnixMilli(1499865549590).UTC(),
		OrderID: "100234", ExchangeTradeID: "28457", Liquidity: coach.Taker}} // "isMaker": false
	for _, sym := range []coach.Symbol{"BNB-BTC", ""} { // given, or split from "BNBBTC"
		got, err := NormalizeTrades(body, sym)
		if err != nil {
			t.Fatalf("sym %q: %v", sym, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sym %q (-want +got):\n%s", sym, diff)
		}
	}
	// A page of another pair than the one it was asked for is refused, as the import refuses it.
	if got, err := NormalizeTrades(body, "BNB-ETH"); coach.ErrorCode(err) != coach.EINVALID || got != nil {
		t.Errorf("another pair: %v, %v; want invalid", got, err)
	}
}

// mixedTrades has a self-trade (both sides of id 7), a repeated row and a row whose id goes back.
const mixedTrades = `[
{"symbol":"ETHUSDT","id":7,"orderId":1,"price":"3000.10","qty":"0.5","commission":"1.5","commissionAsset":"USDT","time":1704067200000,"isBuyer":true},
{"symbol":"ETHUSDT","id":7,"orderId":2,"price":"3000.10","qty":"0.5","commission":"0.0005","commissionAsset":"ETH","time":1704067200000,"isBuyer":false},
{"symbol":"ETHUSDT","id":7,"orderId":2,"price":"3000.10","qty":"0.5","commission":"0.0005","commissionAsset":"ETH","time":1704067200000,"isBuyer":false},
{"symbol":"ETHUSDT","id":9,"orderId":3,"price":"2990","qty":"1","commission":"0.001","commissionAsset":"bnb","time":1704067260000,"isBuyer":false},
{"symbol":"ETHUSDT","id":8,"orderId":4,"price":"2995","qty":"1","commission":"","commissionAsset":"","time":1704067230000,"isBuyer":true}
]`

func TestNormalizeTradesSkipsAsTheCursorDoes(t *testing.T) {
	t.Parallel()
	got, err := NormalizeTrades([]byte(mixedTrades), "ETH-USDT")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tr := range got {
		ids = append(ids, tr.ExtID+" "+tr.FeeAsset)
	}
	// Both sides of the self-trade once each; the repeat and id 8 (after 9) skipped; the BNB fee
	// kept as reported, its asset upper-cased.
	if diff := cmp.Diff([]string{"ETHUSDT:7:B USDT", "ETHUSDT:7:S ETH", "ETHUSDT:9:S BNB"}, ids); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestNormalizeTradesIsTheImport: a saved page normalizes to exactly the trades Client.Fills
// imports when Binance answers with it (within the import's window), bit for bit and in order.
func TestNormalizeTradesIsTheImport(t *testing.T) {
	t.Parallel()
	sample, err := os.ReadFile("testdata/binance_mytrades.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		sym  coach.Symbol
		from time.Time
		body []byte
	}{
		{"binance_mytrades.json", "BNB-BTC", time.Date(2017, 7, 12, 0, 0, 0, 0, time.UTC), sample},
		{"synthetic 2000 trades, fees in USDT, BTC and BNB", "BTC-USDT", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), syntheticTradesBody(2000)},
		{"self-trade, repeat, id going back", "ETH-USDT", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), []byte(mixedTrades)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(&sampleServer{path: "/api/v3/myTrades", status: 200, body: tc.body})
			defer srv.Close()
			c, err := New(Config{BaseURL: srv.URL, APIKey: "key", SecretKey: seal.NewToken("secret"), Clock: coach.NewManualClock(time.UnixMilli(1499827000000)),
				MaxAttempts: 1})
			if err != nil {
				t.Fatal(err)
			}
			var live []coach.Trade
			err = c.Fills(context.Background(), broker.FillsRequest{From: tc.from, To: tc.from.Add(24 * time.Hour), Symbols: []coach.Symbol{tc.sym}},
				func(p broker.FillPage) error { live = append(live, p.Trades...); return nil })
			if err != nil {
				t.Fatal(err)
			}
			saved, err := NormalizeTrades(tc.body, tc.sym)
			if err != nil {
				t.Fatal(err)
			}
			if len(saved) == 0 {
				t.Fatal("no trades: the comparison shows nothing")
			}
			if diff := cmp.Diff(live, saved); diff != "" {
				t.Errorf("(-import +NormalizeTrades):\n%s", diff)
			}
		})
	}
}

func TestNormalizeTradesRefusesMalformedBodies(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		``, `[`, `null`, `{}`, `"x"`, `{"code":-1121,"msg":"Invalid symbol."}`, `<html>502</html>`,
		`[{"symbol":"BTCUSDT","id":"1"}]`,
		`[{"symbol":"BTCUSDT","id":1,"price":"x","qty":"1","time":1704067200000,"isBuyer":true}]`,
		`[{"symbol":"BTCUSDT","id":1,"price":"1","qty":"0","time":1704067200000,"isBuyer":true}]`,
		`[{"symbol":"BTCUSDT","id":1,"price":"1","qty":"1","time":-5,"isBuyer":true}]`,
		`[{"symbol":"BTCUSDT","id":1,"price":"1","qty":"1","commission":"0.1","commissionAsset":"","time":1704067200000,"isBuyer":true}]`,
		`[{"symbol":"ETHUSDT","id":1,"price":"1","qty":"1","time":1704067200000,"isBuyer":true}]`,
	} {
		got, err := NormalizeTrades([]byte(body), "BTC-USDT")
		if coach.ErrorCode(err) != coach.EINVALID || got != nil {
			t.Errorf("NormalizeTrades(%q) = %v, %v; want no trades and invalid", body, got, err)
		}
	}
	if got, err := NormalizeTrades([]byte(`[]`), "BTC-USDT"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("an empty page: %v, %v; want no trades and no error", got, err)
	}
	if _, err := NormalizeTrades([]byte(`[]`), "BTCUSDT"); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("symbol BTCUSDT: %v, want invalid (BASE-QUOTE)", err)
	}
}
