package brokertest_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
)

type wireBalance struct{ Asset, Free, Locked string }

// getAccount fetches /api/v3/account signed with the fake's key, adding extra to the query.
func getAccount(t *testing.T, f *brokertest.Binance, clock coach.Clock, extra string) []wireBalance {
	t.Helper()
	q := extra + "timestamp=" + strconv.FormatInt(clock.Now().UnixMilli(), 10)
	status, code, body := bnGet(t, f, "/api/v3/account", q, f.Config().APIKey, f.Config().SecretKey)
	if status != 200 {
		t.Fatalf("account: %d %d %s", status, code, body)
	}
	var acct struct {
		AccountType string        `json:"accountType"`
		Balances    []wireBalance `json:"balances"`
	}
	if err := json.Unmarshal(body, &acct); err != nil || acct.AccountType != "SPOT" {
		t.Fatalf("account body %s: %v", body, err)
	}
	return acct.Balances
}

// TestBinanceAccountFromOneTrade: the balances of one trade (fee in the quote asset) are what an
// account that started with just enough holds afterwards, and the wire agrees with Balances.
func TestBinanceAccountFromOneTrade(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	f := brokertest.NewBinance(brokertest.BinanceConfig{Clock: clock, Symbols: []coach.Symbol{"BTC-USDT"}, Seed: 5})
	defer f.Close()
	tr := f.AddFills(1)[0]
	if tr.FeeAsset != "USDT" {
		t.Fatalf("first trade's fee in %s, want the quote asset", tr.FeeAsset)
	}
	z := "0.00000000"
	want := []wireBalance{{"BTC", tr.Qty.StringFixed(8), z}, {"USDT", z, z}}
	if tr.Side == coach.Sell {
		want = []wireBalance{{"BTC", z, z}, {"USDT", tr.Qty.Mul(tr.Price).Round(8).Sub(tr.Fee.Decimal).StringFixed(8), z}}
	}
	if diff := cmp.Diff(want, getAccount(t, f, clock, "")); diff != "" {
		t.Errorf("balances of a %s (-want +got):\n%s", tr.Side, diff)
	}
	f.SetBalances(map[string]brokertest.BinanceBalance{"ETH": {Free: decimal.RequireFromString("0.5"), Locked: decimal.RequireFromString("1.25")}})
	nonZero := []wireBalance{{"ETH", "0.50000000", "1.25000000"}}
	for _, b := range want {
		if b.Free != z {
			nonZero = append(nonZero, b)
		}
	}
	slices.SortFunc(nonZero, func(a, b wireBalance) int { return strings.Compare(a.Asset, b.Asset) })
	if diff := cmp.Diff(nonZero, getAccount(t, f, clock, "omitZeroBalances=true&")); diff != "" {
		t.Errorf("omitZeroBalances=true (-want +got):\n%s", diff)
	}
}

// TestBinanceAccountHoldsEveryTradedAsset: many trades leave no negative balance, and the
// account answers only signed requests with the fake's key.
func TestBinanceAccountHoldsEveryTradedAsset(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	f := brokertest.NewBinance(brokertest.BinanceConfig{Clock: clock})
	defer f.Close()
	f.AddFills(2000)
	bal := f.Balances()
	for _, a := range []string{"BTC", "ETH", "BNB", "USDT"} {
		if b, ok := bal[a]; !ok || b.Free.Sign() < 0 || !b.Locked.IsZero() {
			t.Errorf("balance of %s: %+v, %v", a, b, ok)
		}
	}
	if len(getAccount(t, f, clock, "")) != len(bal) {
		t.Errorf("the wire and Balances disagree")
	}
	ts := strconv.FormatInt(clock.Now().UnixMilli(), 10)
	for _, tc := range []struct {
		name, key, secret string
		status, code      int
	}{
		{"no key", "", f.Config().SecretKey, 401, -2014},
		{"wrong key", "other", f.Config().SecretKey, 401, -2015},
		{"wrong secret", f.Config().APIKey, "other", 400, -1022},
	} {
		if status, code, body := bnGet(t, f, "/api/v3/account", "timestamp="+ts, tc.key, tc.secret); status != tc.status || code != tc.code {
			t.Errorf("%s: %d %d %s", tc.name, status, code, body)
		}
	}
}

// TestBinanceExchangeInfo: every known pair with its status (BREAK when delisted), the filters
// by symbol, symbols, symbolStatus and permissions, and the refusals.
func TestBinanceExchangeInfo(t *testing.T) {
	t.Parallel()
	clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	f := brokertest.NewBinance(brokertest.BinanceConfig{Clock: clock, Symbols: []coach.Symbol{"BTC-USDT", "LUNA-USDT"},
		Listed: []coach.Symbol{"BTC-EUR"}, Delisted: []coach.Symbol{"LUNA-USDT"}})
	defer f.Close()
	type pair struct{ Symbol, Status, BaseAsset, QuoteAsset string }
	for _, tc := range []struct {
		name, query  string
		status, code int
		want         []pair
	}{
		{"all", "", 200, 0, []pair{{"BTCUSDT", "TRADING", "BTC", "USDT"}, {"LUNAUSDT", "BREAK", "LUNA", "USDT"}, {"BTCEUR", "TRADING", "BTC", "EUR"}}},
		{"symbol", "symbol=BTCEUR", 200, 0, []pair{{"BTCEUR", "TRADING", "BTC", "EUR"}}},
		{"symbols", `symbols=["LUNAUSDT","BTCUSDT"]`, 200, 0, []pair{{"LUNAUSDT", "BREAK", "LUNA", "USDT"}, {"BTCUSDT", "TRADING", "BTC", "USDT"}}},
		{"status", "symbolStatus=BREAK", 200, 0, []pair{{"LUNAUSDT", "BREAK", "LUNA", "USDT"}}},
		{"spot", "permissions=SPOT", 200, 0, []pair{{"BTCUSDT", "TRADING", "BTC", "USDT"}, {"LUNAUSDT", "BREAK", "LUNA", "USDT"}, {"BTCEUR", "TRADING", "BTC", "EUR"}}},
		{"margin only", `permissions=["MARGIN"]`, 200, 0, []pair{}},
		{"unknown symbol", `symbols=["BTCUSDT","XRPUSDT"]`, 400, -1121, nil},
		{"bad symbols", `symbols=BTCUSDT`, 400, -1100, nil},
		{"bad status", "symbolStatus=GONE", 400, -1122, nil},
		{"status with symbol", "symbol=BTCUSDT&symbolStatus=TRADING", 400, -1128, nil},
	} {
		status, code, body := bnGet(t, f, "/api/v3/exchangeInfo", tc.query, "", "")
		if status != tc.status || code != tc.code {
			t.Errorf("%s: %d %d %s", tc.name, status, code, body)
			continue
		}
		if status != 200 {
			continue
		}
		var ei struct {
			Timezone   string `json:"timezone"`
			RateLimits []any  `json:"rateLimits"`
			Symbols    []pair `json:"symbols"`
		}
		if err := json.Unmarshal(body, &ei); err != nil || ei.Timezone != "UTC" || len(ei.RateLimits) == 0 {
			t.Errorf("%s: body %s: %v", tc.name, body, err)
		}
		if diff := cmp.Diff(tc.want, ei.Symbols); diff != "" {
			t.Errorf("%s: symbols (-want +got):\n%s", tc.name, diff)
		}
	}
	if f.UsedWeight() != 20*10 {
		t.Errorf("used weight %d, want 20 per exchangeInfo", f.UsedWeight())
	}
}
