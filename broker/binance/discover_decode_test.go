package binance

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
)

// accountSample is GET /api/v3/account as Binance documents it, with a zero balance, a
// locked-only balance, an Earn asset and a repeated asset.
const accountSample = `{"makerCommission":15,"takerCommission":15,"buyerCommission":0,"sellerCommission":0,
"commissionRates":{"maker":"0.00150000","taker":"0.00150000","buyer":"0.00000000","seller":"0.00000000"},
"canTrade":true,"canWithdraw":true,"canDeposit":true,"brokered":false,"requireSelfTradePrevention":false,
"preventSor":false,"updateTime":123456789,"accountType":"SPOT",
"balances":[{"asset":"BTC","free":"4723846.89208129","locked":"0.00000000"},
{"asset":"LTC","free":"0.00000000","locked":"0.00000000"},
{"asset":"ETH","free":"0.00000000","locked":"1.50000000"},
{"asset":"LDBNB","free":"0.00010000","locked":"0.00000000"},
{"asset":"BTC","free":"1.00000000","locked":"0.00000000"}],
"permissions":["SPOT"],"uid":354937868}`

// exchangeInfoSample is GET /api/v3/exchangeInfo as Binance documents it (trimmed), with a
// delisted pair, a pair whose name is not its assets and a pair with an unusable asset.
const exchangeInfoSample = `{"timezone":"UTC","serverTime":1565246363776,
"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000}],
"exchangeFilters":[],
"symbols":[
{"symbol":"ETHBTC","status":"TRADING","baseAsset":"ETH","baseAssetPrecision":8,"quoteAsset":"BTC","quotePrecision":8,
 "quoteAssetPrecision":8,"orderTypes":["LIMIT","MARKET"],"icebergAllowed":true,"ocoAllowed":true,
 "isSpotTradingAllowed":true,"isMarginTradingAllowed":true,"filters":[{"filterType":"PRICE_FILTER","minPrice":"0.00000100","maxPrice":"100000.00000000","tickSize":"0.00000100"}],
 "permissions":[],"permissionSets":[["SPOT","MARGIN"]],"defaultSelfTradePreventionMode":"NONE","allowedSelfTradePreventionModes":["NONE"]},
{"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT"},
{"symbol":"LUNAUSDT","status":"BREAK","baseAsset":"LUNA","quoteAsset":"USDT"},
{"symbol":"BTCEUR","status":"HALT","baseAsset":"BTC","quoteAsset":"EUR"},
{"symbol":"XUSDT","status":"TRADING","baseAsset":"Y","quoteAsset":"USDT"},
{"symbol":"béUSDT","status":"TRADING","baseAsset":"bé","quoteAsset":"USDT"},
{"symbol":"ETHUSDT","status":"","baseAsset":"ETH","quoteAsset":"USDT"}]}`

func TestDecodeAccount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		want       []string
		code       coach.Code
	}{
		{"documented", accountSample, []string{"BTC", "ETH", "LDBNB"}, ""},
		{"no balances", `{"balances":[]}`, []string{}, ""},
		{"not an account", `{"accountType":"SPOT"}`, nil, coach.EUNAVAILABLE},
		{"a list", `[]`, nil, coach.EUNAVAILABLE},
		{"bad amount", `{"balances":[{"asset":"BTC","free":"1e999999999","locked":"0"}]}`, nil, coach.EUNAVAILABLE},
		{"negative", `{"balances":[{"asset":"BTC","free":"-1","locked":"0.5"}]}`, []string{}, ""},
	} {
		got, err := decodeAccount([]byte(tc.body))
		if coach.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: held (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestDecodeExchangeInfo(t *testing.T) {
	t.Parallel()
	got, err := decodeExchangeInfo([]byte(exchangeInfoSample))
	if err != nil {
		t.Fatal(err)
	}
	want := map[coach.Symbol]string{"ETH-BTC": "TRADING", "BTC-USDT": "TRADING", "LUNA-USDT": "BREAK", "BTC-EUR": "HALT"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listed (-want +got):\n%s", diff)
	}
	for _, body := range []string{`{}`, `[]`, `{"symbols":{}}`, `{"symbols":[{"symbol":1}]}`} {
		if _, err := decodeExchangeInfo([]byte(body)); coach.ErrorCode(err) != coach.EUNAVAILABLE {
			t.Errorf("%s: %v, want unavailable", body, err)
		}
	}
	// A halted pair is discovered, a delisted one is not; quote order does not change the order.
	held := []string{"BTC", "ETH", "LUNA"}
	if diff := cmp.Diff([]coach.Symbol{"BTC-EUR", "BTC-USDT", "ETH-BTC"}, discovered(held, got, []string{"USDT", "EUR", "BTC"})); diff != "" {
		t.Errorf("discovered (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]coach.Symbol{"BTC-EUR", "BTC-USDT", "ETH-BTC"}, discovered(held, got, []string{"BTC", "EUR", "USDT"})); diff != "" {
		t.Errorf("discovered (-want +got):\n%s", diff)
	}
}
