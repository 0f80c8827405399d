package digest

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// converter builds the Converter into the user's reporting currency (User.Currency) that Weekly
// gives Build: over the candles, from ServiceConfig.Candles at the service's interval, of every
// pair that may join to that currency the quote assets of the week's fills [start, end) and the
// third assets their fees were charged in (ledger.ConverterConfig.Symbols), from
// ledger.DefaultMaxAge before start (the last candle closed before a fill may be that old) to
// end. A pair the source does not know (ENOTFOUND) is left out; without a candle source only the
// currency itself converts, and everything else is listed unconvertible, with its reason.
func (s *Service) converter(ctx context.Context, u coach.User, trades []coach.Trade, start, end time.Time) (*ledger.Converter, error) {
	cfg := ledger.ConverterConfig{Currency: u.Currency()}
	var assets []string
	for i := range trades {
		t := &trades[i]
		if t.TS.Before(start) || !t.TS.Before(end) {
			continue
		}
		assets = append(assets, t.Symbol.Quote())
		if t.FeeAsset != "" && t.FeeAsset != t.Symbol.Base() && t.FeeAsset != t.Symbol.Quote() {
			assets = append(assets, t.FeeAsset)
		}
	}
	var candles []coach.Candle
	if s.candles != nil {
		for _, sym := range cfg.Symbols(assets...) {
			cs, err := s.candles.Candles(ctx, sym, s.iv, start.Add(-ledger.DefaultMaxAge), end)
			switch {
			case coach.ErrorCode(err) == coach.ENOTFOUND:
				continue
			case err != nil:
				return nil, err
			}
			candles = append(candles, cs...)
		}
	}
	cfg.Candles = coach.SeriesOf(candles)
	return ledger.NewConverter(cfg)
}
