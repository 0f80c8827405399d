package storage

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// CandleSource returns the candles stored in c as a coach.CandleSource, for bias, rules, sim and
// digest to read: Candles is c.Range. A symbol with nothing stored gives no candles rather than
// ENOTFOUND (a store cannot tell an unknown symbol from one not yet fetched). A nil c gives a
// source whose every call is EINVALID.
func CandleSource(c Candles) coach.CandleSource { return candleSource{c} }

type candleSource struct{ c Candles }

func (s candleSource) Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	if s.c == nil {
		return nil, coach.Errorf(coach.EINVALID, "storage: CandleSource: no Candles store")
	}
	return s.c.Range(ctx, symbol, interval, from, to)
}
