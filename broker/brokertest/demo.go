package brokertest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
)

// DemoDefaultStart is where a Demo's market begins when DemoOptions.Start is zero.
var DemoDefaultStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// Demo defaults and bounds.
const (
	DemoDefaultDays     = 45
	DemoMinDays         = 12 // the 8-day warm-up of the hourly indicators, and some trading
	DemoMaxDays         = 366
	DemoDefaultPageSize = 100
)

// DemoOptions configures NewDemo. Zero fields take the defaults named.
type DemoOptions struct {
	// Start is the first minute of market data, truncated to the day (DemoDefaultStart). A host
	// that wants the demo to end today passes today minus Days.
	Start time.Time
	// Days is how many days of minute candles and fills to make (DemoDefaultDays, at least
	// DemoMinDays, at most DemoMaxDays).
	Days int
	// PageSize is how many fills Fills puts in a page (DemoDefaultPageSize).
	PageSize int
}

// DemoEpisode is a behaviour the demo persona planted: which fills show it.
type DemoEpisode struct {
	// Label is a coach bias label: FOMO, PANIC, REVENGE, DISCIPLINE, OVERTRADING, DISPOSITION or
	// HOLDING_LOSERS.
	Label string `json:"label"`
	// Symbol is the pair traded ("" for OVERTRADING, a whole day of several pairs).
	Symbol coach.Symbol `json:"symbol,omitempty"`
	// At is the time of the fill that shows the behaviour: the buy for FOMO, REVENGE and
	// DISCIPLINE, the sell for PANIC, DISPOSITION and HOLDING_LOSERS, the day's first fill for
	// OVERTRADING.
	At time.Time `json:"at"`
	// Focus is the ExtID of that fill; ExtIDs are all the episode's fills, oldest first.
	Focus  string   `json:"focus"`
	ExtIDs []string `json:"extIds"`
}

// Demo is a deterministic demo broker: simulated minute candles for BTC-USDT, ETH-USDT and
// SOL-USDT, and the fills of a trader persona whose biases show in them. It implements
// broker.Broker (fills paged per symbol, with checkpoints) and broker.MarketData (1m bars and
// any wider interval built from them). Everything is a function of the seed and the options: the
// same seed gives the same candles, fills and ids, bit for bit on one platform. It is safe for
// concurrent use.
type Demo struct {
	start    time.Time
	days     int
	pageSize int
	series   []*demoSeries
	trades   []coach.Trade // by time, then ExtID
	episodes []DemoEpisode
}

var (
	_ broker.Broker     = (*Demo)(nil)
	_ broker.MarketData = (*Demo)(nil)
)

// NewDemo simulates the market and the persona for seed. EINVALID for options out of range.
func NewDemo(seed int64, opts DemoOptions) (*Demo, error) {
	if opts.Start.IsZero() {
		opts.Start = DemoDefaultStart
	}
	if opts.Days == 0 {
		opts.Days = DemoDefaultDays
	}
	if opts.PageSize == 0 {
		opts.PageSize = DemoDefaultPageSize
	}
	switch {
	case opts.Days < DemoMinDays || opts.Days > DemoMaxDays:
		return nil, coach.Errorf(coach.EINVALID, "demo: days: want %d to %d, got %d", DemoMinDays, DemoMaxDays, opts.Days)
	case opts.PageSize < 1 || opts.PageSize > 10_000:
		return nil, coach.Errorf(coach.EINVALID, "demo: page size: want 1 to 10000, got %d", opts.PageSize)
	case opts.Start.Year() < 2010 || opts.Start.Year() > 9000:
		return nil, coach.Errorf(coach.EINVALID, "demo: start: want a year from 2010 to 9000")
	}
	start := opts.Start.UTC().Truncate(24 * time.Hour)
	minutes := opts.Days * 24 * 60
	d := &Demo{start: start, days: opts.Days, pageSize: opts.PageSize}
	d.series = genMarket(seed, start, minutes)
	p := newPlanner(seed, d.series, minutes)
	p.plan(opts.Days)
	d.build(p)
	return d, nil
}

// build turns the plan into trades with ids in time order, and the episodes into ExtIDs.
func (d *Demo) build(p *planner) {
	order := make([]int, len(p.fills))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := p.fills[i], p.fills[j]
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if c := cmp.Compare(a.asset, b.asset); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	ext := make([]string, len(p.fills))
	d.trades = make([]coach.Trade, len(order))
	for k, i := range order {
		f := p.fills[i]
		ext[i] = fmt.Sprintf("demo-%08d", k+1)
		d.trades[k] = coach.Trade{
			Broker: coach.BrokerDemo, ExtID: ext[i], Symbol: d.series[f.asset].asset.symbol, Side: f.side,
			Qty: f.qty, Price: f.price, Fee: decimal.NewNullDecimal(f.qty.Mul(f.price).Mul(decimal.NewFromFloat(feeRate)).Round(8)),
			FeeAsset: "USDT", TS: f.at,
		}
	}
	for _, e := range p.episodes {
		if e.kind == "" {
			continue
		}
		ep := DemoEpisode{Label: e.kind, At: p.fills[e.focus].at, Focus: ext[e.focus]}
		if e.asset >= 0 {
			ep.Symbol = d.series[e.asset].asset.symbol
		}
		for _, i := range e.fills {
			ep.ExtIDs = append(ep.ExtIDs, ext[i])
		}
		slices.Sort(ep.ExtIDs)
		d.episodes = append(d.episodes, ep)
	}
	slices.SortFunc(d.episodes, func(a, b DemoEpisode) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Focus, b.Focus)
	})
}

// Name returns "demo" (coach.BrokerDemo).
func (d *Demo) Name() string { return coach.BrokerDemo }

// Symbols returns the pairs the demo trades.
func (d *Demo) Symbols() []coach.Symbol {
	out := make([]coach.Symbol, len(d.series))
	for i, s := range d.series {
		out[i] = s.asset.symbol
	}
	return out
}

// Start and End bound the demo's market data: minute bars open in [Start, End).
func (d *Demo) Start() time.Time { return d.start }

// End is Start plus Days.
func (d *Demo) End() time.Time { return d.start.Add(time.Duration(d.days) * 24 * time.Hour) }

// Trades returns a copy of all the persona's fills, oldest first, as Fills normalizes them.
func (d *Demo) Trades() []coach.Trade { return slices.Clone(d.trades) }

// Episodes returns the planted behaviours, in time order: the ground truth a scorer's labels can
// be checked against.
func (d *Demo) Episodes() []DemoEpisode {
	out := make([]DemoEpisode, len(d.episodes))
	for i, e := range d.episodes {
		e.ExtIDs = slices.Clone(e.ExtIDs)
		out[i] = e
	}
	return out
}

// Fills pages through the fills of req: one scope per symbol (in the order of Symbols), oldest
// first, PageSize fills a page, each page's checkpoint the ExtID of its last fill; a scope with a
// checkpoint continues after it. Symbols the demo does not trade have no fills.
func (d *Demo) Fills(ctx context.Context, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	for _, s := range d.series {
		sym := s.asset.symbol
		if len(req.Symbols) > 0 && !slices.Contains(req.Symbols, sym) {
			continue
		}
		after := req.Checkpoints[string(sym)]
		var page []coach.Trade
		flush := func() error {
			if len(page) == 0 {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return coach.Errorf(coach.EUNAVAILABLE, "demo: %v", err)
			}
			p := broker.FillPage{Trades: page, Scope: string(sym), Checkpoint: page[len(page)-1].ExtID}
			page = nil
			return emit(p)
		}
		for _, t := range d.trades {
			if t.Symbol != sym || t.TS.Before(req.From) || !t.TS.Before(req.To) || (after != "" && t.ExtID <= after) {
				continue
			}
			page = append(page, t)
			if len(page) == d.pageSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}

// Candles returns the bars of symbol with OpenTime in [from, to): 1m as simulated, 1h
// precomputed, 5m, 15m, 4h and 1d aggregated on demand. ENOTFOUND for a symbol the demo does not
// trade, EINVALID for an unknown interval.
func (d *Demo) Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	var s *demoSeries
	for _, x := range d.series {
		if x.asset.symbol == symbol {
			s = x
		}
	}
	if s == nil {
		return nil, coach.Errorf(coach.ENOTFOUND, "demo: no market %q", clipSym(symbol))
	}
	iv := interval.Duration()
	if iv == 0 {
		return nil, coach.Errorf(coach.EINVALID, "demo: interval %q is not one of 1m 5m 15m 1h 4h 1d", clipSym(coach.Symbol(interval)))
	}
	if err := ctx.Err(); err != nil {
		return nil, coach.Errorf(coach.EUNAVAILABLE, "demo: %v", err)
	}
	var bars []coach.Candle
	switch interval {
	case coach.Minute1:
		bars = window(s.m1, from, to)
	case coach.Hour1:
		bars = window(s.h1, from, to)
	default:
		// Aggregate the minutes of the buckets that open in [from, to).
		lo := from.Truncate(iv)
		bars = aggregate(window(s.m1, lo, to.Add(iv)), interval)
		bars = window(bars, from, to)
	}
	return slices.Clone(bars), nil
}

// window returns the bars with OpenTime in [from, to) of a sorted slice (shared, not copied).
func window(bars []coach.Candle, from, to time.Time) []coach.Candle {
	i, _ := slices.BinarySearchFunc(bars, from, func(c coach.Candle, t time.Time) int { return c.OpenTime.Compare(t) })
	j, _ := slices.BinarySearchFunc(bars, to, func(c coach.Candle, t time.Time) int { return c.OpenTime.Compare(t) })
	if j < i {
		return nil
	}
	return bars[i:j]
}

func clipSym(s coach.Symbol) string {
	if len(s) > 40 {
		return string(s[:40]) + "…"
	}
	return string(s)
}
