package coach_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// d parses a decimal literal of a test.
func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// validTrade returns a trade that passes Validate.
func validTrade() coach.Trade {
	return coach.Trade{
		ID: "ctrade1", UserID: "cuser1", Broker: "binance", ExtID: "BTCUSDT:123456", Symbol: "BTC-USDT",
		Side: coach.Buy, Qty: d("0.00123"), Price: d("65432.1"),
		Fee: decimal.NewNullDecimal(d("0.00000123")), FeeAsset: "BTC",
		TS: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), ConnectionID: "cconn1",
		OrderID: "100234", ExchangeTradeID: "123456", Liquidity: coach.Taker,
	}
}

func TestTradeValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		edit  func(*coach.Trade)
		field string // "" when the trade stays valid
	}{
		{"valid", func(*coach.Trade) {}, ""},
		{"store sets ID and UserID", func(x *coach.Trade) { x.ID, x.UserID = "", "" }, ""},
		{"null fee", func(x *coach.Trade) { x.Fee, x.FeeAsset = decimal.NullDecimal{}, "" }, ""},
		{"zero fee without asset", func(x *coach.Trade) { x.Fee, x.FeeAsset = decimal.NewNullDecimal(decimal.Zero), "" }, ""},
		{"fee in a third asset", func(x *coach.Trade) { x.FeeAsset = "BNB" }, ""},
		{"sell", func(x *coach.Trade) { x.Side = coach.Sell }, ""},
		{"no connection", func(x *coach.Trade) { x.ConnectionID = "" }, ""},
		{"ExtID of 128 bytes", func(x *coach.Trade) { x.ExtID = strings.Repeat("é", 64) }, ""},
		{"unicode ExtID", func(x *coach.Trade) { x.ExtID = "ordre-n°42" }, ""},
		{"amounts at the top of the range", func(x *coach.Trade) { x.Qty, x.Price = d("999999999999999.999999999999999999"), d("0.999999999999") }, ""},
		{"a price of 12 places", func(x *coach.Trade) { x.Price = d("0.000000000001") }, ""},
		{"a price of 13 places", func(x *coach.Trade) { x.Price = d("0.0000000000001") }, "price"},
		{"a base-asset fee below the bought qty", func(x *coach.Trade) {
			x.Qty, x.Fee, x.FeeAsset = d("2"), decimal.NewNullDecimal(d("1.999")), x.Symbol.Base()
		}, ""},
		{"a base-asset fee that takes the bought qty", func(x *coach.Trade) {
			x.Side, x.Qty, x.Fee, x.FeeAsset = coach.Buy, d("2"), decimal.NewNullDecimal(d("2")), x.Symbol.Base()
		}, "fee"},
		{"a notional just below 10^15", func(x *coach.Trade) { x.Qty, x.Price = d("1000000"), d("999999999.999999999") }, ""},
		{"exponent 14", func(x *coach.Trade) { x.Price = decimal.New(1, 14) }, ""},
		{"exponent -18", func(x *coach.Trade) { x.Qty, x.Fee = decimal.New(1, -18), decimal.NullDecimal{} }, ""},
		{"trailing zeros past 18 places", func(x *coach.Trade) { x.Qty = d("1.000000000000000000000") }, ""},
		{"fee at the top of the range", func(x *coach.Trade) {
			x.Fee, x.FeeAsset = decimal.NewNullDecimal(d("999999999999999.999999999999999999")), "USDT"
		}, ""},
		{"TS on 2009-01-03", func(x *coach.Trade) { x.TS = time.Date(2009, 1, 3, 0, 0, 0, 0, time.UTC) }, ""},
		{"TS just before 2100", func(x *coach.Trade) { x.TS = time.Date(2099, 12, 31, 23, 59, 59, 999999999, time.UTC) }, ""},

		{"amount with 38 digits", func(x *coach.Trade) { x.Qty = d("1234567890123456789.0123456789012345678") }, "qty"},
		{"exponent 30", func(x *coach.Trade) { x.Price = decimal.New(1, 30) }, "price"},
		{"exponent 15", func(x *coach.Trade) { x.Price = decimal.New(1, 15) }, "price"},
		{"exponent -30", func(x *coach.Trade) { x.Qty = decimal.New(1, -30) }, "qty"},
		{"19 decimal places", func(x *coach.Trade) { x.Price = d("0.0000000000000000001") }, "price"},
		{"a notional of 10^15", func(x *coach.Trade) { x.Qty, x.Price = d("1000000"), d("1000000000") }, "qty × price"},
		{"the reviewer's 1e30 × a 38-digit price", func(x *coach.Trade) {
			x.Qty, x.Price = decimal.New(1, 30), d("12345678901234567890123456789012345678")
		}, "qty"},
		{"fee of 10^15", func(x *coach.Trade) { x.Fee = decimal.NewNullDecimal(decimal.New(1, 15)) }, "fee"},
		{"fee with 19 places", func(x *coach.Trade) { x.Fee = decimal.NewNullDecimal(d("0.0000000000000000001")) }, "fee"},

		{"malformed ID", func(x *coach.Trade) { x.ID = "a b" }, "id"},
		{"malformed UserID", func(x *coach.Trade) { x.UserID = strings.Repeat("u", 65) }, "userId"},
		{"no broker", func(x *coach.Trade) { x.Broker = "" }, "broker"},
		{"upper-case broker", func(x *coach.Trade) { x.Broker = "Binance" }, "broker"},
		{"long broker", func(x *coach.Trade) { x.Broker = strings.Repeat("b", 33) }, "broker"},
		{"no ExtID", func(x *coach.Trade) { x.ExtID = "" }, "extId"},
		{"long ExtID", func(x *coach.Trade) { x.ExtID = strings.Repeat("x", 129) }, "extId"},
		{"ExtID not UTF-8", func(x *coach.Trade) { x.ExtID = "a\xffb" }, "extId"},
		{"ExtID with a control character", func(x *coach.Trade) { x.ExtID = "a\nb" }, "extId"},
		{"ExtID with DEL", func(x *coach.Trade) { x.ExtID = "a\x7fb" }, "extId"},
		{"ExtID with a C1 control character", func(x *coach.Trade) { x.ExtID = "a\u0085b" }, "extId"},
		{"malformed ConnectionID", func(x *coach.Trade) { x.ConnectionID = "c/1" }, "connectionId"},
		{"no exchange fields", func(x *coach.Trade) { x.OrderID, x.ExchangeTradeID, x.Liquidity = "", "", "" }, ""},
		{"maker", func(x *coach.Trade) { x.Liquidity = coach.Maker }, ""},
		{"UUID ids of 128 bytes", func(x *coach.Trade) {
			x.OrderID, x.ExchangeTradeID = strings.Repeat("é", 64), strings.Repeat("0000-000000-000000;", 6)+"0000000000000"
		}, ""},
		{"long OrderID", func(x *coach.Trade) { x.OrderID = strings.Repeat("1", 129) }, "orderId"},
		{"OrderID not UTF-8", func(x *coach.Trade) { x.OrderID = "a\xffb" }, "orderId"},
		{"OrderID with a control character", func(x *coach.Trade) { x.OrderID = "a\tb" }, "orderId"},
		{"long ExchangeTradeID", func(x *coach.Trade) { x.ExchangeTradeID = strings.Repeat("1", 129) }, "exchangeTradeId"},
		{"ExchangeTradeID with a C1 control character", func(x *coach.Trade) { x.ExchangeTradeID = "a\u0085b" }, "exchangeTradeId"},
		{"lower-case liquidity", func(x *coach.Trade) { x.Liquidity = "maker" }, "liquidity"},
		{"Coinbase's unknown liquidity kept as is", func(x *coach.Trade) { x.Liquidity = "UNKNOWN_LIQUIDITY_INDICATOR" }, "liquidity"},
		{"non-canonical symbol", func(x *coach.Trade) { x.Symbol = "BTCUSDT" }, "symbol"},
		{"lower-case symbol", func(x *coach.Trade) { x.Symbol = "btc-usdt" }, "symbol"},
		{"no side", func(x *coach.Trade) { x.Side = "" }, "side"},
		{"lower-case side", func(x *coach.Trade) { x.Side = "buy" }, "side"},
		{"zero qty", func(x *coach.Trade) { x.Qty = decimal.Zero }, "qty"},
		{"negative qty", func(x *coach.Trade) { x.Qty = d("-1") }, "qty"},
		{"qty with a hostile exponent", func(x *coach.Trade) { x.Qty = decimal.New(1, 999_999_999) }, "qty"},
		{"qty too fine", func(x *coach.Trade) { x.Qty = decimal.New(1, -31) }, "qty"},
		{"qty with 39 digits", func(x *coach.Trade) { x.Qty = d("123456789012345678901234567890123456789") }, "qty"},
		{"qty of 39 digits once written out", func(x *coach.Trade) { x.Qty = decimal.New(123456789, 30) }, "qty"},
		{"zero price", func(x *coach.Trade) { x.Price = decimal.Zero }, "price"},
		{"negative price", func(x *coach.Trade) { x.Price = d("-65000") }, "price"},
		{"price with a hostile exponent", func(x *coach.Trade) { x.Price = decimal.New(5, -999_999) }, "price"},
		{"negative fee", func(x *coach.Trade) { x.Fee = decimal.NewNullDecimal(d("-0.1")) }, "fee"},
		{"fee with a hostile exponent", func(x *coach.Trade) { x.Fee = decimal.NewNullDecimal(decimal.New(1, 1<<30)) }, "fee"},
		{"fee without asset", func(x *coach.Trade) { x.FeeAsset = "" }, "feeAsset"},
		{"lower-case fee asset", func(x *coach.Trade) { x.FeeAsset = "bnb" }, "feeAsset"},
		{"long fee asset", func(x *coach.Trade) { x.FeeAsset = strings.Repeat("B", 21) }, "feeAsset"},
		{"no TS", func(x *coach.Trade) { x.TS = time.Time{} }, "ts"},
		{"TS before 2009", func(x *coach.Trade) { x.TS = time.Date(2008, 12, 31, 23, 59, 59, 0, time.UTC) }, "ts"},
		{"TS before the genesis block", func(x *coach.Trade) { x.TS = time.Date(2009, 1, 2, 23, 59, 59, 0, time.UTC) }, "ts"},
		{"TS in 2100", func(x *coach.Trade) { x.TS = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) }, "ts"},
		{"TS in 9999 (scoring fails on it)", func(x *coach.Trade) { x.TS = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) }, "ts"},
		{"TS after 9999", func(x *coach.Trade) { x.TS = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "ts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x := validTrade()
			tc.edit(&x)
			err := x.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("Validate() = %v, want EINVALID", err)
			}
			if msg := coach.ErrorMessage(err); !strings.Contains(msg, ": "+tc.field+":") {
				t.Errorf("message %q does not name the field %s", msg, tc.field)
			}
			if msg := coach.ErrorMessage(err); strings.Contains(msg, "999999") || len(msg) > 300 {
				t.Errorf("message %q expands untrusted input", msg)
			}
		})
	}
}

func TestTradeNotional(t *testing.T) {
	t.Parallel()
	if got := validTrade().Notional(); !got.Equal(d("80.481483")) {
		t.Errorf("Notional() = %s, want 80.481483", got)
	}
}

func TestTradeJSON(t *testing.T) {
	t.Parallel()
	x := validTrade()
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"extId":`, `"userId":`, `"feeAsset":"BTC"`, `"connectionId":`, `"qty":"0.00123"`, `"side":"BUY"`,
		`"orderId":"100234"`, `"exchangeTradeId":"123456"`, `"liquidity":"TAKER"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
	var back coach.Trade
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(x, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	x.Fee, x.FeeAsset = decimal.NullDecimal{}, ""
	b, _ = json.Marshal(x)
	if !strings.Contains(string(b), `"fee":null`) || strings.Contains(string(b), "feeAsset") {
		t.Errorf("unknown fee: JSON %s, want fee null and no feeAsset", b)
	}
	x.OrderID, x.ExchangeTradeID, x.Liquidity = "", "", ""
	b, _ = json.Marshal(x)
	for _, key := range []string{"orderId", "exchangeTradeId", "liquidity"} {
		if strings.Contains(string(b), key) {
			t.Errorf("a trade without exchange fields: JSON %s has %s", b, key)
		}
	}
}

func TestTradeExchangeKey(t *testing.T) {
	t.Parallel()
	x := validTrade()
	if got, want := x.ExchangeKey(), "BTC-USDT BUY 123456"; got != want {
		t.Errorf("ExchangeKey() = %q, want %q", got, want)
	}
	other := x
	other.Side = coach.Sell // the other side of a self-trade: the same trade id, another fill
	if other.ExchangeKey() == x.ExchangeKey() {
		t.Errorf("both sides of a self-trade have the key %q", x.ExchangeKey())
	}
	other = x
	other.Symbol = "ETH-USDT" // ids numbered per pair
	if other.ExchangeKey() == x.ExchangeKey() {
		t.Errorf("the same id on two pairs has the key %q", x.ExchangeKey())
	}
	other = x
	other.ExtID, other.OrderID, other.Liquidity, other.Broker = "csv-1", "", "", "csv"
	if other.ExchangeKey() != x.ExchangeKey() {
		t.Errorf("the key depends on the source's fields: %q, want %q", other.ExchangeKey(), x.ExchangeKey())
	}
	x.ExchangeTradeID = ""
	if got := x.ExchangeKey(); got != "" {
		t.Errorf("ExchangeKey() without a trade id = %q, want empty", got)
	}
}

func TestParseLiquidity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want coach.Liquidity
		ok   bool
	}{
		{"", "", true}, {"MAKER", coach.Maker, true}, {"maker", coach.Maker, true}, {"Taker", coach.Taker, true},
		{"UNKNOWN_LIQUIDITY_INDICATOR", "", false}, {"M", "", false}, {" maker", "", false},
	} {
		if got, ok := coach.ParseLiquidity(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("ParseLiquidity(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzTradeValidate builds trades from fuzzed JSON. Validate must never panic, and a trade it
// accepts must survive a JSON round trip unchanged and still valid.
func FuzzTradeValidate(f *testing.F) {
	seed, _ := json.Marshal(validTrade())
	f.Add(string(seed))
	for _, s := range []string{
		`{"broker":"binance","extId":"1","symbol":"BTC-USDT","side":"SELL","qty":"1","price":"2","fee":null,"ts":"2020-01-01T00:00:00Z"}`,
		`{"broker":"binance","extId":"1","symbol":"BTC-USDT","side":"SELL","qty":"1","price":"2","ts":"2020-01-01T00:00:00Z","orderId":"\u0000","exchangeTradeId":"a\ud800","liquidity":"maker"}`,
		`{"broker":"binance","extId":"1","symbol":"BTC-USDT","side":"BUY","qty":"1e30","price":"1e-30","fee":"0","ts":"2020-01-01T00:00:00+05:30"}`,
		`{"broker":"binance","extId":"1","symbol":"BTC-USDT","side":"BUY","qty":"123456789e30","price":"2","ts":"2020-01-01T00:00:00Z"}`,
		`{"broker":"binance","extId":"1","symbol":"BTC-USDT","side":"BUY","qty":"1e999999999","price":"2","ts":"2020-01-01T00:00:00Z"}`,
		`{"broker":"binance","extId":"\u0085","symbol":"BTC-USDT","side":"BUY","qty":1.5,"price":2,"ts":"2020-01-01T00:00:00Z"}`,
		`{"broker":"binance","extId":"a\ud800","symbol":"BTC-USDT","side":"BUY","qty":"1","price":"2","fee":"-0","feeAsset":"","ts":"9999-12-31T23:59:59.999999999Z"}`,
		`{"qty":"-0","price":"0.000000000000000000000000000001"}`,
		`{}`, `null`, `[]`, `{"qty":{}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var x coach.Trade
		if json.Unmarshal([]byte(s), &x) != nil {
			return
		}
		err := x.Validate()
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("Validate() = %v, want EINVALID", err)
			}
			return
		}
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatalf("a valid trade does not marshal: %v", err)
		}
		var back coach.Trade
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s does not unmarshal: %v", b, err)
		}
		if diff := cmp.Diff(x, back); diff != "" {
			t.Fatalf("round trip through %s (-before +after):\n%s", b, diff)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("valid trade invalid after a round trip through %s: %v", b, err)
		}
	})
}
