package memory

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/tradecoach/coach"
)

// candles is the storage.Candles of a Store or transaction.
type candles struct{ r repos }

// seriesKey names one candle series.
type seriesKey struct {
	symbol   coach.Symbol
	interval coach.Interval
}

func byOpenTime(a, b coach.Candle) int { return a.OpenTime.Compare(b.OpenTime) }

func (r candles) Put(ctx context.Context, in []coach.Candle) error {
	bySeries := make(map[seriesKey][]coach.Candle)
	for _, c := range in {
		if err := c.Validate(); err != nil {
			return err
		}
		c.OpenTime = c.OpenTime.UTC()
		k := seriesKey{c.Symbol, c.Interval}
		bySeries[k] = append(bySeries[k], c)
	}
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		for k, add := range bySeries {
			// The last of equal OpenTimes in the call wins, as if they were put one by one.
			slices.SortStableFunc(add, byOpenTime)
			old, had := d.candles[k]
			d.candles[k] = mergeCandles(old, add)
			undo.add(func() {
				if had {
					d.candles[k] = old
				} else {
					delete(d.candles, k)
				}
			})
		}
		return nil
	})
}

// mergeCandles returns a new series with old and add (both sorted) in time order, a candle of
// add replacing one of old (or an earlier one of add) with the same OpenTime.
func mergeCandles(old, add []coach.Candle) []coach.Candle {
	out := make([]coach.Candle, 0, len(old)+len(add))
	i, j := 0, 0
	for i < len(old) || j < len(add) {
		var c coach.Candle
		switch {
		case j == len(add) || i < len(old) && old[i].OpenTime.Before(add[j].OpenTime):
			c = old[i]
			i++
		case i < len(old) && old[i].OpenTime.Equal(add[j].OpenTime):
			i++ // replaced by add[j], taken next round
			continue
		default:
			c = add[j]
			j++
		}
		if n := len(out); n > 0 && out[n-1].OpenTime.Equal(c.OpenTime) {
			out[n-1] = c
		} else {
			out = append(out, c)
		}
	}
	return out
}

func (r candles) Range(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	var out []coach.Candle
	err := r.r.read(ctx, func(d *data) error {
		s := d.candles[seriesKey{symbol, interval}]
		i := sort.Search(len(s), func(i int) bool { return !s[i].OpenTime.Before(from) })
		j := sort.Search(len(s), func(i int) bool { return !s[i].OpenTime.Before(to) })
		if i < j {
			out = slices.Clone(s[i:j])
		}
		return nil
	})
	return out, err
}
