package ledger

import (
	"slices"

	"github.com/tradecoach/coach"
)

// Symbols returns the pairs whose candles a Converter built from cfg may read to convert the
// given assets into cfg.Currency, sorted and without repeats: for each asset other than the
// currency, the direct pairs asset-currency and currency-asset, and for each bridge (cfg.Bridges,
// or DefaultBridges when nil) other than the asset and the currency, asset-bridge, bridge-asset,
// bridge-currency and currency-bridge. A service fetches these from its candle source and gives
// them back as cfg.Candles; a pair the source does not know is simply absent, and what it alone
// would have joined is then unconvertible (NoPath), never guessed. Assets that are not asset
// codes are left out.
func (cfg ConverterConfig) Symbols(assets ...string) []coach.Symbol {
	bridges := cfg.Bridges
	if bridges == nil {
		bridges = DefaultBridges
	}
	cur := cfg.Currency
	var out []coach.Symbol
	pair := func(a, b string) {
		if s := coach.Symbol(a + "-" + b); coach.ValidCurrency(a) && coach.ValidCurrency(b) && a != b && s.Valid() {
			out = append(out, s)
		}
	}
	for _, a := range assets {
		if a == cur || !coach.ValidCurrency(a) {
			continue
		}
		pair(a, cur)
		pair(cur, a)
		for _, b := range bridges {
			if b == a || b == cur {
				continue
			}
			pair(a, b)
			pair(b, a)
			pair(b, cur)
			pair(cur, b)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
