package sim

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// converter builds the Converter into the user's reporting currency (User.Currency) that
// Simulate gives Run, and returns the candles it was built from, which the cache key covers
// (conversionKey). They are the candles, from ServiceConfig.Candles at req.Interval, of every pair
// that may join to that currency the quote assets of the trades and the third assets their fees
// were charged in (ledger.ConverterConfig.Symbols), from ledger.DefaultMaxAge before req.From (the
// last candle closed before a fill may be that old) to req.To, where open positions are valued.
// A pair the source does not know (ENOTFOUND) is left out: what only it would have joined is
// listed unconvertible, with its reason.
func (s *Service) converter(ctx context.Context, u coach.User, req Request, trades []coach.Trade) (*ledger.Converter, []coach.Candle, error) {
	cfg := ledger.ConverterConfig{Currency: u.Currency()}
	var assets []string
	for i := range trades {
		t := &trades[i]
		assets = append(assets, t.Symbol.Quote())
		if t.FeeAsset != "" && t.FeeAsset != t.Symbol.Base() && t.FeeAsset != t.Symbol.Quote() {
			assets = append(assets, t.FeeAsset)
		}
	}
	var candles []coach.Candle
	for _, sym := range cfg.Symbols(assets...) {
		cs, err := s.candles.Candles(ctx, sym, req.Interval, req.From.Add(-ledger.DefaultMaxAge), req.To)
		switch {
		case coach.ErrorCode(err) == coach.ENOTFOUND:
			continue
		case err != nil:
			return nil, nil, err
		}
		candles = append(candles, cs...)
	}
	cfg.Candles = coach.SeriesOf(candles)
	c, err := ledger.NewConverter(cfg)
	return c, candles, err
}

// conversionKey names the data of a result's InCurrency for CacheKey: the reporting currency and
// HashCandles of the conversion candles.
func conversionKey(c *ledger.Converter, candles []coach.Candle) string {
	return c.Currency() + ":" + HashCandles(candles)
}
