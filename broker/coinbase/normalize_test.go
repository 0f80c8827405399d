package coinbase

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"golang.org/x/oauth2"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/seal"
)

// sampleOrderSides gives the side the sample server's Get Order answers with.
var sampleOrderSides = map[string]coach.Side{"0000-000000-000000": coach.Sell}

func TestNormalizeFillsSamples(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file  string
		sides map[string]coach.Side
		want  []coach.Trade
		code  coach.Code
	}{
		{file: "coinbase_fills.json", sides: sampleOrderSides, want: []coach.Trade{{
			Broker: "coinbase", ExtID: "22222-2222222-22222222", Symbol: "BTC-USD", Side: coach.Sell, // side from the order
			Qty: dec("0.001"), Price: dec("10000.00"), Fee: decimal.NewNullDecimal(dec("1.25")), FeeAsset: "USD",
			TS:      time.Date(2021, 5, 31, 9, 59, 59, 0, time.UTC),
			OrderID: "0000-000000-000000", ExchangeTradeID: "1111-11111-111111", Liquidity: ""}}}, // UNKNOWN_LIQUIDITY_INDICATOR
		// The same page without its order's side cannot be normalized.
		{file: "coinbase_fills.json", code: coach.EINVALID},
		{file: "coinbase_fills_docs_variant_side_BUY.json", want: []coach.Trade{{
			Broker: "coinbase", ExtID: "22222-2222222-22222222", Symbol: "BTC-USD", Side: coach.Buy,
			Qty: dec("0.001"), Price: dec("10000.00"), Fee: decimal.NewNullDecimal(dec("1.25")), FeeAsset: "USD",
			TS:      time.Date(2021, 5, 31, 9, 59, 59, 0, time.UTC),
			OrderID: "0000-000000-000000", ExchangeTradeID: "1111-11111-111111", Liquidity: ""}}}, // UNKNOWN_LIQUIDITY_INDICATOR
		// size_in_quote: Qty = 0.0046830664333996 / 21220.64, to 18 places.
		{file: "coinbase_fills_ccxt_sample.json", want: []coach.Trade{{
			Broker: "coinbase", ExtID: "b88b82cc89e326a2778874795102cbafd08dd979a2a7a3c69603fc4c23c2e010", Symbol: "BTC-USDT", Side: coach.Buy,
			Qty: dec("0.000000220684504963"), Price: dec("21220.64"), Fee: decimal.NewNullDecimal(dec("0.0000280983986004")), FeeAsset: "USDT",
			TS:      time.Date(2023, 1, 18, 1, 37, 38, 91377090, time.UTC),
			OrderID: "813a53c5-3e39-47bb-863d-2faf685d22d8", ExchangeTradeID: "cdc39e45-bbd3-44ec-bf02-61742dfb16a1"}}},
		// Saved answers that are not fills pages.
		{file: "coinbase_candles.json", code: coach.EINVALID},
		{file: "coinbase_error_403_missing_scopes.json", code: coach.EINVALID},
		{file: "coinbase_error_401_unauthorized.txt", code: coach.EINVALID},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := NormalizeFills(body, tc.sides)
			if coach.ErrorCode(err) != tc.code || tc.code == "" && err != nil {
				t.Fatalf("err = %v, want code %q", err, tc.code)
			}
			if err != nil && got != nil {
				t.Errorf("trades %v returned with the error", got)
			}
			if diff := cmp.Diff(tc.want, got); err == nil && diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestNormalizeFillsIsTheImport: a saved page normalizes to exactly the trades Client.Fills
// imports when Coinbase answers with it (within the import's window), bit for bit and in order.
func TestNormalizeFillsIsTheImport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		day  string
		body func() ([]byte, error)
	}{
		{"coinbase_fills.json", "2021-05-31", func() ([]byte, error) { return os.ReadFile("testdata/coinbase_fills.json") }},
		{"coinbase_fills_ccxt_sample.json", "2023-01-18", func() ([]byte, error) { return os.ReadFile("testdata/coinbase_fills_ccxt_sample.json") }},
		{"synthetic 2000 fills, a ninth sized in quote", "2024-01-01", func() ([]byte, error) { return syntheticFillsBody(2000), nil }},
		{"repeats, reversals and shuffled times", "2024-01-01", func() ([]byte, error) { return []byte(mixedFills), nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body, err := tc.body()
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(&sampleServer{endpoint: "fills", status: 200, body: body, json: true})
			defer srv.Close()
			clock := coach.NewManualClock(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
			c, err := New(Config{BaseURL: srv.URL, TokenURL: srv.URL + "/oauth2/token", ClientID: "id", ClientSecret: seal.NewToken("secret"),
				Tokens: NewMemoryTokens(&oauth2.Token{AccessToken: "a", RefreshToken: "r", Expiry: clock.Now().Add(time.Hour)}),
				Clock:  clock, Window: 24 * time.Hour, MaxAttempts: 1})
			if err != nil {
				t.Fatal(err)
			}
			from, _ := time.Parse(time.DateOnly, tc.day)
			var live []coach.Trade
			err = c.Fills(context.Background(), broker.FillsRequest{From: from, To: from.Add(24 * time.Hour)}, func(p broker.FillPage) error {
				live = append(live, p.Trades...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			saved, err := NormalizeFills(body, sampleOrderSides)
			if err != nil {
				t.Fatal(err)
			}
			if len(saved) == 0 {
				t.Fatal("no trades: the comparison shows nothing")
			}
			if diff := cmp.Diff(live, saved); diff != "" {
				t.Errorf("(-import +NormalizeFills):\n%s", diff)
			}
		})
	}
}

// mixedFills has a repeated entry, a reversal, a correction and fills out of time order.
const mixedFills = `{"fills":[
{"entry_id":"e3","trade_id":"t3","order_id":"o1","trade_time":"2024-01-01T12:00:02Z","trade_type":"FILL","price":"100","size":"2","commission":"0.1","product_id":"ETH-USD","side":"SELL"},
{"entry_id":"e1","trade_id":"t1","order_id":"o1","trade_time":"2024-01-01T12:00:00Z","trade_type":"FILL","price":"101","size":"1","commission":"0","product_id":"ETH-USD","side":"BUY"},
{"entry_id":"e1","trade_id":"t1","order_id":"o1","trade_time":"2024-01-01T12:00:00Z","trade_type":"FILL","price":"101","size":"1","commission":"0","product_id":"ETH-USD","side":"BUY"},
{"entry_id":"e2","trade_id":"t2","order_id":"o1","trade_time":"2024-01-01T12:00:01Z","trade_type":"REVERSAL","price":"101","size":"1","product_id":"ETH-USD","side":"BUY"},
{"entry_id":"e4","trade_id":"t4","order_id":"o2","trade_time":"2024-01-01T12:00:02Z","trade_type":"CORRECTION","price":"99","size":"1","product_id":"ETH-USD","side":"SELL"},
{"entry_id":"","trade_id":"t0","order_id":"o3","trade_time":"2024-01-01T12:00:02Z","price":"99.5","size":"0.5","product_id":"BTC-USD","side":"buy"}
],"cursor":""}`

func TestNormalizeFillsSkipsAsTheImportDoes(t *testing.T) {
	t.Parallel()
	got, err := NormalizeFills([]byte(mixedFills), nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tr := range got {
		ids = append(ids, tr.ExtID)
	}
	// e1 once; e2 (reversal) and e4 (correction) skipped; sorted by time, then ExtID: e3 < t0.
	// t0 has no entry_id (its trade_id is the ExtID), no trade_type and no commission (no fee).
	if diff := cmp.Diff([]string{"e1", "e3", "t0"}, ids); diff != "" {
		t.Errorf("ExtIDs (-want +got):\n%s", diff)
	}
	if last := got[len(got)-1]; last.Fee.Valid || last.FeeAsset != "" || last.Side != coach.Buy {
		t.Errorf("t0 = %+v, want no fee and BUY", last)
	}
	// An order's side is read in any case, as the client reads Get Order.
	one := `{"fills":[{"entry_id":"e","order_id":"o","price":"1","size":"1","product_id":"BTC-USD","trade_time":"2024-01-01T00:00:00Z"}]}`
	if got, err := NormalizeFills([]byte(one), map[string]coach.Side{"o": "sell"}); err != nil || got[0].Side != coach.Sell {
		t.Errorf("side from order %q: %v, %v", "sell", got, err)
	}
}

// TestFillExchangeFields: order_id, trade_id and liquidity_indicator become OrderID,
// ExchangeTradeID and Liquidity as ccxt reads them (order, id, takerOrMaker), the ExtID staying
// the entry_id; an id out of range refuses the fill, naming the field.
func TestFillExchangeFields(t *testing.T) {
	t.Parallel()
	const fill = `{"fills":[{"entry_id":"e1","trade_id":%s,"order_id":%s,"liquidity_indicator":%s,` +
		`"trade_time":"2024-01-01T00:00:00Z","price":"100","size":"1","product_id":"ETH-USD","side":"BUY"}]}`
	for _, tc := range []struct {
		name                  string
		tradeID, orderID, liq string // JSON values
		wantTrade, wantOrder  string
		wantLiquidity         coach.Liquidity
		wantErr               string // a field the error names
	}{
		{"maker", `"t-1"`, `"o-1"`, `"MAKER"`, "t-1", "o-1", coach.Maker, ""},
		{"taker", `"t-2"`, `"o-2"`, `"TAKER"`, "t-2", "o-2", coach.Taker, ""},
		{"lower-case taker", `"t-3"`, `"o-3"`, `"taker"`, "t-3", "o-3", coach.Taker, ""},
		{"unknown", `"t-4"`, `"o-4"`, `"UNKNOWN_LIQUIDITY_INDICATOR"`, "t-4", "o-4", "", ""},
		{"another value", `"t-5"`, `"o-5"`, `"BOTH"`, "t-5", "o-5", "", ""},
		{"absent fields", `null`, `null`, `null`, "", "", "", ""},
		{"order id of 129 bytes", `"t-6"`, `"` + strings.Repeat("o", 129) + `"`, `"MAKER"`, "", "", "", "orderId"},
		{"trade id with a control character", `"t\u0007"`, `"o-7"`, `"MAKER"`, "", "", "", "exchangeTradeId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeFills([]byte(fmt.Sprintf(fill, tc.tradeID, tc.orderID, tc.liq)), nil)
			if tc.wantErr != "" {
				if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), tc.wantErr+":") {
					t.Fatalf("err = %v, want EINVALID naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(got) != 1 {
				t.Fatalf("NormalizeFills = %v, %v", got, err)
			}
			tr := got[0]
			if tr.ExtID != "e1" || tr.ExchangeTradeID != tc.wantTrade || tr.OrderID != tc.wantOrder || tr.Liquidity != tc.wantLiquidity {
				t.Errorf("ExtID %q, ExchangeTradeID %q, OrderID %q, Liquidity %q; want e1, %q, %q, %q",
					tr.ExtID, tr.ExchangeTradeID, tr.OrderID, tr.Liquidity, tc.wantTrade, tc.wantOrder, tc.wantLiquidity)
			}
		})
	}
}

func TestNormalizeFillsRefusesMalformedBodies(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		``, `{`, `null`, `[]`, `"fills"`, `{}`, `{"fills":{}}`, `{"fills":"x"}`, `{"fills":null}`,
		`{"error":"unknown","message":"x"}`, `<html>502 Bad Gateway</html>`,
		`{"fills":[{"entry_id":"e","price":"x","size":"1","product_id":"BTC-USD","side":"BUY","trade_time":"2024-01-01T00:00:00Z"}]}`,
		`{"fills":[{"entry_id":"e","price":"1","size":"1","product_id":"BTCUSD?","side":"BUY","trade_time":"2024-01-01T00:00:00Z"}]}`,
		`{"fills":[{"entry_id":"e","price":"1","size":"-1","product_id":"BTC-USD","side":"BUY","trade_time":"2024-01-01T00:00:00Z"}]}`,
		`{"fills":[{"entry_id":"e","price":"1","size":"1","product_id":"BTC-USD","side":"BUY","trade_time":"yesterday"}]}`,
		`{"fills":[{"entry_id":"e","price":"1","size":"1","product_id":"BTC-USD","trade_time":"2024-01-01T00:00:00Z"}]}`,
		`{"fills":[{"entry_id":"e","order_id":"o9","price":"1","size":"1","product_id":"BTC-USD","trade_time":"2024-01-01T00:00:00Z"}]}`,
		`{"fills":[{"entry_id":"e","order_id":"bad","price":"1","size":"1","product_id":"BTC-USD","trade_time":"2024-01-01T00:00:00Z"}]}`,
	} {
		got, err := NormalizeFills([]byte(body), map[string]coach.Side{"0000-000000-000000": coach.Sell, "bad": "HOLD"})
		if coach.ErrorCode(err) != coach.EINVALID || got != nil {
			t.Errorf("NormalizeFills(%q) = %v, %v; want no trades and invalid", body, got, err)
		}
	}
	got, err := NormalizeFills([]byte(`{"fills":[],"cursor":""}`), nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("an empty page: %v, %v; want no trades and no error", got, err)
	}
}
