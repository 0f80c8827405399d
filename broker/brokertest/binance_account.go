package brokertest

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
)

// BinanceBalance is one asset's balance on the fake's account.
type BinanceBalance struct {
	Free, Locked decimal.Decimal
}

// SetBalances sets the balances of the assets in b; other assets keep the balances derived from
// the trades (see Balances). A zero balance makes an asset look sold down to nothing.
func (f *Binance) SetBalances(b map[string]BinanceBalance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	maps.Copy(f.balances, b)
}

// Balances returns the balances GET /api/v3/account reports, zero ones included, by asset. They
// are derived from the trades as an account that started with just enough of each asset never to
// go below zero (buys add the base and spend quoteQty, sells the reverse, commissions are spent),
// then overridden by SetBalances. Free is the whole balance; nothing is locked.
func (f *Binance) Balances() map[string]BinanceBalance {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.balancesLocked()
}

func (f *Binance) balancesLocked() map[string]BinanceBalance {
	var all []bnTrade
	for _, ts := range f.trades {
		all = append(all, ts...)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		switch {
		case a.Time != b.Time:
			return a.Time < b.Time
		case a.Symbol != b.Symbol:
			return a.Symbol < b.Symbol
		case a.ID != b.ID:
			return a.ID < b.ID
		}
		return a.IsBuyer && !b.IsBuyer
	})
	net, low := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	move := func(asset string, d decimal.Decimal) {
		n := net[asset].Add(d)
		net[asset] = n
		if n.LessThan(low[asset]) {
			low[asset] = n
		}
	}
	for _, t := range all {
		sym, _ := f.symbol(t.Symbol)
		qty, quote := decimal.RequireFromString(t.Qty), decimal.RequireFromString(t.QuoteQty)
		if t.IsBuyer {
			move(sym.Base(), qty)
			move(sym.Quote(), quote.Neg())
		} else {
			move(sym.Base(), qty.Neg())
			move(sym.Quote(), quote)
		}
		move(t.CommissionAsset, decimal.RequireFromString(t.Commission).Neg())
	}
	out := make(map[string]BinanceBalance, len(net)+len(f.balances))
	for asset, n := range net {
		out[asset] = BinanceBalance{Free: n.Sub(low[asset])}
	}
	maps.Copy(out, f.balances)
	return out
}

// bnBalance is a balance on the wire.
type bnBalance struct {
	Asset  string `json:"asset"`
	Free   string `json:"free"`
	Locked string `json:"locked"`
}

// bnAccount is GET /api/v3/account's answer, fields in Binance's order.
type bnAccount struct {
	MakerCommission            int               `json:"makerCommission"`
	TakerCommission            int               `json:"takerCommission"`
	BuyerCommission            int               `json:"buyerCommission"`
	SellerCommission           int               `json:"sellerCommission"`
	CommissionRates            map[string]string `json:"commissionRates"`
	CanTrade                   bool              `json:"canTrade"`
	CanWithdraw                bool              `json:"canWithdraw"`
	CanDeposit                 bool              `json:"canDeposit"`
	Brokered                   bool              `json:"brokered"`
	RequireSelfTradePrevention bool              `json:"requireSelfTradePrevention"`
	PreventSor                 bool              `json:"preventSor"`
	UpdateTime                 int64             `json:"updateTime"`
	AccountType                string            `json:"accountType"`
	Balances                   []bnBalance       `json:"balances"`
	Permissions                []string          `json:"permissions"`
	UID                        int64             `json:"uid"`
}

// account is GET /api/v3/account (signed, weight 20): the balances, all of them or only the
// non-zero ones with omitZeroBalances=true, ordered by asset.
func (f *Binance) account(w http.ResponseWriter, q url.Values) {
	omit := false
	switch q.Get("omitZeroBalances") {
	case "", "false":
	case "true":
		omit = true
	default:
		bnError(w, http.StatusBadRequest, -1100, "Illegal characters found in parameter 'omitZeroBalances'; legal range is 'true, false'.")
		return
	}
	f.mu.Lock()
	bal := f.balancesLocked()
	var updated int64
	for _, ts := range f.trades {
		if len(ts) > 0 {
			updated = max(updated, ts[len(ts)-1].Time)
		}
	}
	f.mu.Unlock()
	acct := bnAccount{MakerCommission: 10, TakerCommission: 10,
		CommissionRates: map[string]string{"maker": "0.00100000", "taker": "0.00100000", "buyer": "0.00000000", "seller": "0.00000000"},
		CanTrade:        true, CanWithdraw: true, CanDeposit: true, UpdateTime: updated, AccountType: "SPOT",
		Balances: []bnBalance{}, Permissions: []string{"SPOT"}, UID: int64(wireHash("uid", int64(f.cfg.Seed)) >> 34)}
	for _, asset := range slices.Sorted(maps.Keys(bal)) {
		b := bal[asset]
		if omit && b.Free.Add(b.Locked).IsZero() {
			continue
		}
		acct.Balances = append(acct.Balances, bnBalance{Asset: asset, Free: b.Free.StringFixed(8), Locked: b.Locked.StringFixed(8)})
	}
	wireJSON(w, http.StatusOK, acct)
}

// bnSymbolInfo is one pair of GET /api/v3/exchangeInfo, fields in Binance's order.
type bnSymbolInfo struct {
	Symbol                          string           `json:"symbol"`
	Status                          string           `json:"status"`
	BaseAsset                       string           `json:"baseAsset"`
	BaseAssetPrecision              int              `json:"baseAssetPrecision"`
	QuoteAsset                      string           `json:"quoteAsset"`
	QuotePrecision                  int              `json:"quotePrecision"`
	QuoteAssetPrecision             int              `json:"quoteAssetPrecision"`
	BaseCommissionPrecision         int              `json:"baseCommissionPrecision"`
	QuoteCommissionPrecision        int              `json:"quoteCommissionPrecision"`
	OrderTypes                      []string         `json:"orderTypes"`
	IcebergAllowed                  bool             `json:"icebergAllowed"`
	OcoAllowed                      bool             `json:"ocoAllowed"`
	OtoAllowed                      bool             `json:"otoAllowed"`
	QuoteOrderQtyMarketAllowed      bool             `json:"quoteOrderQtyMarketAllowed"`
	AllowTrailingStop               bool             `json:"allowTrailingStop"`
	CancelReplaceAllowed            bool             `json:"cancelReplaceAllowed"`
	AmendAllowed                    bool             `json:"amendAllowed"`
	IsSpotTradingAllowed            bool             `json:"isSpotTradingAllowed"`
	IsMarginTradingAllowed          bool             `json:"isMarginTradingAllowed"`
	Filters                         []map[string]any `json:"filters"`
	Permissions                     []string         `json:"permissions"`
	PermissionSets                  [][]string       `json:"permissionSets"`
	DefaultSelfTradePreventionMode  string           `json:"defaultSelfTradePreventionMode"`
	AllowedSelfTradePreventionModes []string         `json:"allowedSelfTradePreventionModes"`
}

// bnStatuses are the symbolStatus values exchangeInfo accepts.
var bnStatuses = []string{"TRADING", "END_OF_DAY", "HALT", "BREAK"}

// exchangeInfo is GET /api/v3/exchangeInfo (weight 20): every known pair, or those of symbol or
// symbols (a JSON array; -1121 if one is unknown), filtered by permissions ("SPOT" or a JSON
// array) and symbolStatus (not with symbol or symbols, -1128).
func (f *Binance) exchangeInfo(w http.ResponseWriter, q url.Values) {
	var names []string
	hasSymbols := q.Has("symbol") || q.Has("symbols")
	switch {
	case q.Has("symbol") && q.Has("symbols"),
		q.Has("symbolStatus") && hasSymbols:
		bnError(w, http.StatusBadRequest, -1128, "Combination of optional parameters invalid.")
		return
	case q.Has("symbol"):
		names = []string{q.Get("symbol")}
	case q.Has("symbols"):
		if json.Unmarshal([]byte(q.Get("symbols")), &names) != nil || len(names) == 0 {
			bnError(w, http.StatusBadRequest, -1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.")
			return
		}
	}
	status := q.Get("symbolStatus")
	if status != "" && !slices.Contains(bnStatuses, status) {
		bnError(w, http.StatusBadRequest, -1122, "Invalid symbolStatus.")
		return
	}
	perms := []string{"SPOT", "MARGIN", "LEVERAGED"}
	if p := q.Get("permissions"); strings.HasPrefix(p, "[") {
		if json.Unmarshal([]byte(p), &perms) != nil {
			bnError(w, http.StatusBadRequest, -1100, "Illegal characters found in parameter 'permissions'.")
			return
		}
	} else if p != "" {
		perms = []string{p}
	}
	showSets := q.Get("showPermissionSets") != "false"

	var pairs []coach.Symbol
	if hasSymbols {
		for _, n := range names {
			s, ok := f.symbol(n)
			if !ok {
				bnError(w, http.StatusBadRequest, -1121, "Invalid symbol.")
				return
			}
			pairs = append(pairs, s)
		}
	} else {
		for _, s := range slices.Concat(f.cfg.Symbols, f.cfg.Listed) {
			if !slices.Contains(pairs, s) {
				pairs = append(pairs, s)
			}
		}
	}
	infos := []bnSymbolInfo{}
	for _, s := range pairs {
		info := f.symbolInfo(s, showSets)
		if status != "" && info.Status != status || !slices.Contains(perms, "SPOT") {
			continue
		}
		infos = append(infos, info)
	}
	f.mu.Lock()
	now := f.serverNowLocked().UnixMilli()
	f.mu.Unlock()
	wireJSON(w, http.StatusOK, bnExchangeInfo{
		Timezone:   "UTC",
		ServerTime: now,
		RateLimits: []bnRateLimit{
			{"REQUEST_WEIGHT", "MINUTE", 1, f.cfg.WeightLimit},
			{"ORDERS", "SECOND", 10, 100},
			{"ORDERS", "DAY", 1, 200000},
			{"RAW_REQUESTS", "MINUTE", 5, 61000},
		},
		ExchangeFilters: []any{},
		Symbols:         infos,
	})
}

// bnExchangeInfo is GET /api/v3/exchangeInfo's answer, fields in Binance's order.
type bnExchangeInfo struct {
	Timezone        string         `json:"timezone"`
	ServerTime      int64          `json:"serverTime"`
	RateLimits      []bnRateLimit  `json:"rateLimits"`
	ExchangeFilters []any          `json:"exchangeFilters"`
	Symbols         []bnSymbolInfo `json:"symbols"`
}

// bnRateLimit is one of exchangeInfo's rateLimits.
type bnRateLimit struct {
	RateLimitType string `json:"rateLimitType"`
	Interval      string `json:"interval"`
	IntervalNum   int    `json:"intervalNum"`
	Limit         int    `json:"limit"`
}

// symbolInfo describes a known pair as exchangeInfo does.
func (f *Binance) symbolInfo(s coach.Symbol, showSets bool) bnSymbolInfo {
	status := "TRADING"
	if slices.Contains(f.cfg.Delisted, s) {
		status = "BREAK"
	}
	tick := decimal.New(1, -bnPriceDigits(s))
	sets := [][]string{{"SPOT"}}
	if !showSets {
		sets = [][]string{}
	}
	return bnSymbolInfo{
		Symbol: s.Concat(), Status: status, BaseAsset: s.Base(), BaseAssetPrecision: 8, QuoteAsset: s.Quote(),
		QuotePrecision: 8, QuoteAssetPrecision: 8, BaseCommissionPrecision: 8, QuoteCommissionPrecision: 8,
		OrderTypes:     []string{"LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"},
		IcebergAllowed: true, OcoAllowed: true, OtoAllowed: true, QuoteOrderQtyMarketAllowed: true, AllowTrailingStop: true,
		CancelReplaceAllowed: true, IsSpotTradingAllowed: status == "TRADING",
		Filters: []map[string]any{
			{"filterType": "PRICE_FILTER", "minPrice": tick.StringFixed(8), "maxPrice": "1000000.00000000", "tickSize": tick.StringFixed(8)},
			{"filterType": "LOT_SIZE", "minQty": "0.00000001", "maxQty": "9000.00000000", "stepSize": "0.00000001"},
		},
		Permissions: []string{}, PermissionSets: sets,
		DefaultSelfTradePreventionMode:  "EXPIRE_MAKER",
		AllowedSelfTradePreventionModes: []string{"EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"},
	}
}
