package binance

import (
	"context"
	"encoding/json/jsontext"
	"slices"
	"strconv"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/wire"
)

// klinesWeight is what GET /api/v3/klines costs.
const klinesWeight = 2

// decodeKlines decodes a klines body ([[openTime, "open", "high", "low", "close", "volume",
// closeTime, …], …]) into validated candles of symbol and interval. EUNAVAILABLE when the body is
// not a klines answer, EINVALID when a row is not a valid candle.
func decodeKlines(body []byte, symbol coach.Symbol, interval coach.Interval) ([]coach.Candle, error) {
	var rows [][]jsontext.Value
	if err := unmarshal(body, &rows); err != nil {
		return nil, malformed("klines answer")
	}
	out := make([]coach.Candle, 0, len(rows))
	for i, r := range rows {
		if len(r) < 6 {
			return nil, coach.Errorf(coach.EINVALID, "binance kline %d of %s: %d fields, want at least 6", i, symbol, len(r))
		}
		open, err := strconv.ParseInt(string(r[0]), 10, 64)
		if err != nil || open < 0 || open > 253402300799999 {
			return nil, coach.Errorf(coach.EINVALID, "binance kline %d of %s: open time is not a time in ms", i, symbol)
		}
		var v [5]float64
		for j := range v {
			if v[j], err = number(r[1+j]); err != nil {
				return nil, coach.Errorf(coach.EINVALID, "binance kline %d of %s: field %d is not a number", i, symbol, 1+j)
			}
		}
		c := coach.Candle{Symbol: symbol, Interval: interval, OpenTime: time.UnixMilli(open).UTC(),
			Open: v[0], High: v[1], Low: v[2], Close: v[3], Volume: v[4]}
		if err := c.Validate(); err != nil {
			return nil, coach.Errorf(coach.EINVALID, "binance %s", coach.ErrorMessage(err))
		}
		out = append(out, c)
	}
	return out, nil
}

// number reads a decimal that Binance sends as a string (or, leniently, as a bare number).
func number(v jsontext.Value) (float64, error) {
	s := string(v)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	return strconv.ParseFloat(s, 64)
}

// Candles returns the klines of symbol and interval with OpenTime in [from, to), oldest first, in
// requests of at most Config.PageSize (public, no key needed). EINVALID for an interval Binance
// does not serve, ENOTFOUND for a symbol it does not know.
func (c *Client) Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	if !c.constructed() {
		return nil, errNotConstructed
	}
	step := interval.Duration()
	switch {
	case step == 0:
		return nil, coach.Errorf(coach.EINVALID, "binance candles: interval %q is not one of 1m 5m 15m 1h 4h 1d", wire.Clip(string(interval)))
	case !symbol.Valid():
		return nil, coach.Errorf(coach.EINVALID, "binance candles: symbol %q is not BASE-QUOTE", wire.Clip(string(symbol)))
	case !from.Before(to):
		return nil, nil
	}
	var out []coach.Candle
	for start := from.UTC(); start.Before(to); {
		var rows []coach.Candle
		err := c.do(ctx, request{path: "/api/v3/klines", weight: klinesWeight,
			params: []param{
				{"symbol", symbol.Concat()},
				{"interval", string(interval)},
				{"startTime", strconv.FormatInt(start.UnixMilli(), 10)},
				{"endTime", strconv.FormatInt(to.UnixMilli()-1, 10)},
				{"limit", strconv.Itoa(c.cfg.PageSize)},
			},
			decode: func(b []byte) (err error) { rows, err = decodeKlines(b, symbol, interval); return err }})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if !r.OpenTime.Before(from) && r.OpenTime.Before(to) {
				out = append(out, r)
			}
		}
		if len(rows) < c.cfg.PageSize {
			break
		}
		next := rows[len(rows)-1].OpenTime.Add(step)
		if !next.After(start) {
			return nil, coach.Errorf(coach.EUNAVAILABLE, "binance klines: paging did not advance")
		}
		start = next
	}
	slices.SortFunc(out, func(a, b coach.Candle) int { return a.OpenTime.Compare(b.OpenTime) })
	return slices.CompactFunc(out, func(a, b coach.Candle) bool { return a.OpenTime.Equal(b.OpenTime) }), nil
}
