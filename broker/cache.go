package broker

import (
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// DefaultMergeGap is CacheConfig.MergeGap when unset.
const DefaultMergeGap = 60

// CacheConfig is what a CachedMarketData needs.
type CacheConfig struct {
	// Store is the cache. Required.
	Store storage.Candles
	// Source fills the cache. Required.
	Source MarketData
	// Clock tells which bars are closed; nil means coach.SystemClock.
	Clock coach.Clock
	// MergeGap: two missing stretches separated by at most this many cached bars are fetched in
	// one request (fewer round trips, a few bars fetched again). 0 means DefaultMergeGap; a
	// negative value never merges.
	MergeGap int
}

// CachedMarketData serves candles from a storage.Candles cache and asks Source only for what the
// cache lacks. It is a MarketData.
//
// Only closed bars are cached (a bar whose close is at or before Clock.Now); the bar still open
// and anything later are always asked of Source and never stored, so the cache never holds a
// bar that can still change. A closed range the cache covers bar for bar is served without
// calling Source. Bars that the source itself lacks (no trades in that minute) cannot be told
// from bars not yet fetched, so a range with such gaps asks Source again for the gaps only.
//
// Build it with NewCachedMarketData; one not built that way answers EINVALID.
type CachedMarketData struct {
	store    storage.Candles
	source   MarketData
	clock    coach.Clock
	mergeGap int
}

// NewCachedMarketData returns a CachedMarketData, or an EINVALID error naming the first missing
// field of cfg.
func NewCachedMarketData(cfg CacheConfig) (*CachedMarketData, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "broker: CacheConfig.Store is required")
	case cfg.Source == nil:
		return nil, coach.Errorf(coach.EINVALID, "broker: CacheConfig.Source is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.MergeGap == 0 {
		cfg.MergeGap = DefaultMergeGap
	}
	return &CachedMarketData{store: cfg.Store, source: cfg.Source, clock: cfg.Clock, mergeGap: cfg.MergeGap}, nil
}

// Candles returns the candles with OpenTime in [from, to), in time order, from the cache where
// it covers them and from Source (then stored) where it does not. EINVALID for an unknown
// interval or to before from; Source's errors as they are.
func (c *CachedMarketData) Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	if c == nil || c.store == nil {
		return nil, coach.Errorf(coach.EINVALID, "broker: CachedMarketData not constructed; use broker.NewCachedMarketData")
	}
	d := interval.Duration()
	switch {
	case d == 0:
		return nil, coach.Errorf(coach.EINVALID, "candles: interval %q is not one of 1m 5m 15m 1h 4h 1d", clip(string(interval), 8))
	case to.Before(from):
		return nil, coach.Errorf(coach.EINVALID, "candles: to is before from")
	case !symbol.Valid():
		return nil, coach.Errorf(coach.EINVALID, "candles: symbol %q is not BASE-QUOTE", clip(string(symbol), 40))
	}
	from, to = from.UTC(), to.UTC()
	start := from.Truncate(d)
	if start.Before(from) {
		start = start.Add(d)
	}
	// Bars opening before closedEnd have closed by now.
	closedEnd := c.clock.Now().Truncate(d)
	if closedEnd.After(to) {
		closedEnd = to
	}

	var out []coach.Candle
	if start.Before(closedEnd) {
		cached, err := c.store.Range(ctx, symbol, interval, start, closedEnd)
		if err != nil {
			return nil, err
		}
		out = cached
		for _, run := range c.missing(cached, start, closedEnd, d) {
			fetched, err := c.fetch(ctx, symbol, interval, run[0], run[1])
			if err != nil {
				return nil, err
			}
			if len(fetched) > 0 {
				if err := c.store.Put(ctx, fetched); err != nil {
					return nil, err
				}
			}
			out = append(out, fetched...)
		}
	}
	if liveFrom := maxTime(start, closedEnd); liveFrom.Before(to) {
		live, err := c.fetch(ctx, symbol, interval, liveFrom, to)
		if err != nil {
			return nil, err
		}
		out = append(out, live...)
	}
	// Fetched bars replace cached ones of the same OpenTime (a merged run re-reads a few).
	slices.SortStableFunc(out, func(a, b coach.Candle) int { return a.OpenTime.Compare(b.OpenTime) })
	w := 0
	for i := range out {
		if w > 0 && out[w-1].OpenTime.Equal(out[i].OpenTime) {
			out[w-1] = out[i]
			continue
		}
		out[w] = out[i]
		w++
	}
	return out[:w], nil
}

// missing returns the stretches [from, to) of bar slots in [start, end) that cached lacks, merged
// across gaps of at most MergeGap cached bars.
func (c *CachedMarketData) missing(cached []coach.Candle, start, end time.Time, d time.Duration) [][2]time.Time {
	gap := c.mergeGap
	var runs [][2]time.Time
	add := func(a, b time.Time) {
		if n := len(runs); n > 0 && gap >= 0 && !a.After(runs[n-1][1].Add(time.Duration(gap)*d)) {
			runs[n-1][1] = b
			return
		}
		runs = append(runs, [2]time.Time{a, b})
	}
	next := start
	for _, cd := range cached {
		t := cd.OpenTime
		if t.Before(next) {
			continue
		}
		if t.After(next) {
			add(next, t)
		}
		next = t.Add(d)
	}
	if next.Before(end) {
		add(next, end)
	}
	return runs
}

// fetch asks Source for [from, to) and keeps only well-formed bars of that range, symbol and
// interval, in time order.
func (c *CachedMarketData) fetch(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	got, err := c.source.Candles(ctx, symbol, interval, from, to)
	if err != nil {
		return nil, err
	}
	out := got[:0:0]
	for _, cd := range got {
		if cd.Symbol != symbol || cd.Interval != interval || cd.OpenTime.Before(from) || !cd.OpenTime.Before(to) || cd.Validate() != nil {
			continue
		}
		cd.OpenTime = cd.OpenTime.UTC()
		out = append(out, cd)
	}
	slices.SortStableFunc(out, func(a, b coach.Candle) int { return a.OpenTime.Compare(b.OpenTime) })
	return out, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
