package brokertest

import (
	"net/http"
	"net/url"
)

// BinanceKeyPermissions are the permissions of the fake's API key, as
// GET /sapi/v1/account/apiRestrictions reports them (same names as Binance's fields).
type BinanceKeyPermissions struct {
	IPRestrict                   bool
	EnableReading                bool
	EnableWithdrawals            bool
	EnableInternalTransfer       bool
	EnableMargin                 bool
	EnableFutures                bool
	PermitsUniversalTransfer     bool
	EnableVanillaOptions         bool
	EnableFixAPITrade            bool
	EnableFixReadOnly            bool
	EnableSpotAndMarginTrading   bool
	EnablePortfolioMarginTrading bool
}

// ReadOnlyKey is a key that can only read: enableReading and enableFixReadOnly, nothing else.
// It is the fake's default.
func ReadOnlyKey() BinanceKeyPermissions {
	return BinanceKeyPermissions{EnableReading: true, EnableFixReadOnly: true}
}

// TradingKey is a key that can read and trade spot and margin (enableSpotAndMarginTrading), the
// kind a coach must refuse.
func TradingKey() BinanceKeyPermissions {
	p := ReadOnlyKey()
	p.EnableSpotAndMarginTrading = true
	return p
}

// SetKeyPermissions sets what apiRestrictions reports of the key from now on.
func (f *Binance) SetKeyPermissions(p BinanceKeyPermissions) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.perms = p
}

// bnRestrictions is GET /sapi/v1/account/apiRestrictions's answer, fields in Binance's order.
type bnRestrictions struct {
	IPRestrict                     bool  `json:"ipRestrict"`
	CreateTime                     int64 `json:"createTime"`
	EnableReading                  bool  `json:"enableReading"`
	EnableWithdrawals              bool  `json:"enableWithdrawals"`
	EnableInternalTransfer         bool  `json:"enableInternalTransfer"`
	EnableMargin                   bool  `json:"enableMargin"`
	EnableFutures                  bool  `json:"enableFutures"`
	PermitsUniversalTransfer       bool  `json:"permitsUniversalTransfer"`
	EnableVanillaOptions           bool  `json:"enableVanillaOptions"`
	EnableFixAPITrade              bool  `json:"enableFixApiTrade"`
	EnableFixReadOnly              bool  `json:"enableFixReadOnly"`
	EnableSpotAndMarginTrading     bool  `json:"enableSpotAndMarginTrading"`
	EnablePortfolioMarginTrading   bool  `json:"enablePortfolioMarginTrading"`
	TradingAuthorityExpirationTime int64 `json:"tradingAuthorityExpirationTime"`
}

// apiRestrictions is GET /sapi/v1/account/apiRestrictions (signed, weight 1): the key's
// permissions.
func (f *Binance) apiRestrictions(w http.ResponseWriter, _ url.Values) {
	f.mu.Lock()
	p := f.perms
	created := f.cfg.FillsFrom.UnixMilli()
	f.mu.Unlock()
	wireJSON(w, http.StatusOK, bnRestrictions{
		IPRestrict: p.IPRestrict, CreateTime: created, EnableReading: p.EnableReading, EnableWithdrawals: p.EnableWithdrawals,
		EnableInternalTransfer: p.EnableInternalTransfer, EnableMargin: p.EnableMargin, EnableFutures: p.EnableFutures,
		PermitsUniversalTransfer: p.PermitsUniversalTransfer, EnableVanillaOptions: p.EnableVanillaOptions,
		EnableFixAPITrade: p.EnableFixAPITrade, EnableFixReadOnly: p.EnableFixReadOnly,
		EnableSpotAndMarginTrading: p.EnableSpotAndMarginTrading, EnablePortfolioMarginTrading: p.EnablePortfolioMarginTrading,
	})
}
