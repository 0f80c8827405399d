package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
)

// candles is storage.Candles, keyed by (symbol, interval, open_time).
type candles struct{ s *scope }

// Put validates and stores candles; a candle already stored under the same key is replaced, and
// of two with the same key in one call the later wins.
func (r candles) Put(ctx context.Context, cs []coach.Candle) error {
	type key struct {
		symbol   coach.Symbol
		interval coach.Interval
		open     int64
	}
	at := make(map[key]int, len(cs))
	rows := make([]coach.Candle, 0, len(cs))
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			return err
		}
		k := key{c.Symbol, c.Interval, c.OpenTime.UnixMicro()}
		if i, ok := at[k]; ok {
			rows[i] = c
			continue
		}
		at[k] = len(rows)
		rows = append(rows, c)
	}
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	var (
		symbols, intervals = make([]string, n), make([]string, n)
		opens              = make([]time.Time, n)
		o, h, l, c, v      = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	)
	for i, x := range rows {
		symbols[i], intervals[i], opens[i] = string(x.Symbol), string(x.Interval), x.OpenTime
		o[i], h[i], l[i], c[i], v[i] = x.Open, x.High, x.Low, x.Close, x.Volume
	}
	return r.s.write(ctx, func(q querier) error {
		_, err := q.Exec(ctx, `INSERT INTO {schema}.candles (symbol, "interval", open_time, open, high, low, close, volume)
			SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
			ON CONFLICT (symbol, "interval", open_time) DO UPDATE SET open = excluded.open, high = excluded.high,
				low = excluded.low, close = excluded.close, volume = excluded.volume`,
			symbols, intervals, opens, o, h, l, c, v)
		return err
	})
}

// Range returns the stored candles of symbol and interval with OpenTime in [from, to), in time
// order.
func (r candles) Range(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	if !textOK(string(symbol)) || !textOK(string(interval)) {
		return nil, nil
	}
	var out []coach.Candle
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT symbol, "interval", open_time, open, high, low, close, volume FROM {schema}.candles
			WHERE symbol = $1 AND "interval" = $2 AND open_time >= $3 AND open_time < $4 ORDER BY open_time`,
			string(symbol), string(interval), from, to)
		if err != nil {
			return err
		}
		out, err = collect(rows, func(row pgx.Row) (coach.Candle, error) {
			var c coach.Candle
			err := row.Scan(&c.Symbol, &c.Interval, &c.OpenTime, &c.Open, &c.High, &c.Low, &c.Close, &c.Volume)
			c.OpenTime = c.OpenTime.UTC()
			return c, err
		})
		return err
	})
	return out, err
}
