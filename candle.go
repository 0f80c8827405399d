package coach

import (
	"context"
	"math"
	"time"
)

// Interval is a candle width in the brokers' notation.
type Interval string

// Intervals every market-data source in this module supports.
const (
	Minute1  Interval = "1m"
	Minute5  Interval = "5m"
	Minute15 Interval = "15m"
	Hour1    Interval = "1h"
	Hour4    Interval = "4h"
	Day1     Interval = "1d"
)

// Duration returns the width of the interval, or 0 for an unknown one.
func (i Interval) Duration() time.Duration {
	switch i {
	case Minute1:
		return time.Minute
	case Minute5:
		return 5 * time.Minute
	case Minute15:
		return 15 * time.Minute
	case Hour1:
		return time.Hour
	case Hour4:
		return 4 * time.Hour
	case Day1:
		return 24 * time.Hour
	}
	return 0
}

// Candle is one OHLCV bar of market data. OpenTime is the start of the bar (UTC); the bar closes
// at OpenTime + Interval.Duration(), and a trade's features may use it only if that is at or
// before the fill. Prices are in the quote asset and Volume in the base asset. Candles are float64:
// they are the input of indicator math, not money.
type Candle struct {
	Symbol   Symbol    `json:"symbol"`
	Interval Interval  `json:"interval"`
	OpenTime time.Time `json:"openTime"`
	Open     float64   `json:"open"`
	High     float64   `json:"high"`
	Low      float64   `json:"low"`
	Close    float64   `json:"close"`
	Volume   float64   `json:"volume"`
}

// CloseTime returns the end of the bar.
func (c Candle) CloseTime() time.Time { return c.OpenTime.Add(c.Interval.Duration()) }

// Validate reports the first invalid field of c: finite positive prices with
// Low ≤ Open, Close ≤ High, a non-negative volume, a known interval and an aligned OpenTime.
func (c Candle) Validate() error {
	finite := func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
	switch {
	case !c.Symbol.Valid():
		return Errorf(EINVALID, "candle: symbol: %q is not BASE-QUOTE", clip(string(c.Symbol), 40))
	case c.Interval.Duration() == 0:
		return Errorf(EINVALID, "candle %s: interval: %q is not one of 1m 5m 15m 1h 4h 1d", c.Symbol, clip(string(c.Interval), 8))
	case c.OpenTime.IsZero() || !c.OpenTime.Truncate(c.Interval.Duration()).Equal(c.OpenTime):
		return Errorf(EINVALID, "candle %s: openTime: not aligned to %s", c.Symbol, c.Interval)
	case !finite(c.Open) || !finite(c.High) || !finite(c.Low) || !finite(c.Close) || !finite(c.Volume):
		return Errorf(EINVALID, "candle %s %s: prices and volume must be finite", c.Symbol, c.OpenTime.Format(time.RFC3339))
	case c.Low <= 0 || c.Low > c.High || c.Open < c.Low || c.Open > c.High || c.Close < c.Low || c.Close > c.High:
		return Errorf(EINVALID, "candle %s %s: want 0 < low ≤ open, close ≤ high", c.Symbol, c.OpenTime.Format(time.RFC3339))
	case c.Volume < 0:
		return Errorf(EINVALID, "candle %s %s: volume: negative", c.Symbol, c.OpenTime.Format(time.RFC3339))
	}
	return nil
}

// CandleSource gives candles: the market data that bias scoring, rule evaluation, simulations and
// the digest read. It is declared once, here, so that one value serves them all:
// broker.MarketData (the broker clients, the fallback chain, the candle cache) satisfies it as is,
// and storage.CandleSource adapts a storage.Candles.
type CandleSource interface {
	// Candles returns the candles of symbol and interval with OpenTime in [from, to), in time
	// order, as many as the source has (gaps are absent, not zero-filled). ENOTFOUND for a symbol
	// the source does not know.
	Candles(ctx context.Context, symbol Symbol, interval Interval, from, to time.Time) ([]Candle, error)
}

// CandleSeries holds candles by symbol. Scoring and rule evaluation take it (as
// bias.CandleSeries and rules.CandleSeries, aliases of this type); they clean it themselves, so
// the bars need not be sorted or valid.
type CandleSeries map[Symbol][]Candle

// SeriesOf groups candles by their Symbol, keeping their order within each symbol.
func SeriesOf(candles []Candle) CandleSeries {
	s := CandleSeries{}
	for _, c := range candles {
		s[c.Symbol] = append(s[c.Symbol], c)
	}
	return s
}
