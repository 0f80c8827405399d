package bias_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// rng is splitmix64: a tiny generator whose output is the same on every platform and Go version,
// so that fixtures (and the golden files made from them) never change under us.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a uniform number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// noise returns a roughly normal number with mean 0 and variance 1 (Irwin–Hall of 12 uniforms),
// with no transcendental functions, so it is bit-identical everywhere.
func (r *rng) noise() float64 {
	var s float64
	for range 12 {
		s += r.float()
	}
	return s - 6
}

// t0 is the open of the first fixture bar.
var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// event shapes the market over a run of bars: a drift per bar and a volume multiple.
type event struct {
	from, to int // bars [from, to)
	drift    float64
	volume   float64
}

// synthCandles returns n hourly bars of sym from t0: a random walk with 0.6% hourly volatility,
// shaped by events.
func synthCandles(sym coach.Symbol, seed uint64, start float64, n int, events ...event) []coach.Candle {
	r := &rng{s: seed}
	out := make([]coach.Candle, n)
	p := start
	for i := range n {
		drift, vmul := 0.0, 1.0
		for _, e := range events {
			if i >= e.from && i < e.to {
				drift, vmul = e.drift, e.volume
			}
		}
		o := p
		p = p * (1 + drift + float64(0.006*r.noise()))
		hi := max(o, p) * (1 + float64(0.002*r.float()))
		lo := min(o, p) * (1 - float64(0.002*r.float()))
		vol := 100 * vmul * (1 + float64(0.2*r.noise()))
		if vol < 1 {
			vol = 1
		}
		out[i] = coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: t0.Add(time.Duration(i) * time.Hour),
			Open: o, High: hi, Low: lo, Close: p, Volume: vol}
	}
	return out
}

// fixture is a market and a trader's fills designed to show every label.
type fixture struct {
	candles bias.CandleSeries
	trades  []coach.Trade
	role    map[string]string // a name for the trades the tests look at → trade id
}

// name gives the last trade added a role.
func (fx *fixture) name(role string) { fx.role[role] = fx.trades[len(fx.trades)-1].ID }

// closeAt returns the close of the bar of sym that closed at or before ts.
func (fx *fixture) closeAt(sym coach.Symbol, ts time.Time) float64 {
	bars := fx.candles[sym]
	best := 0.0
	for _, b := range bars {
		if !b.CloseTime().After(ts) {
			best = b.Close
		}
	}
	return best
}

func (fx *fixture) trade(sym coach.Symbol, side coach.Side, ts time.Time, qty string, priceMul float64) {
	fx.tradeAt(sym, side, ts, qty, fx.closeAt(sym, ts)*priceMul)
}

// tradeAt adds a fill at price p (rounded to cents).
func (fx *fixture) tradeAt(sym coach.Symbol, side coach.Side, ts time.Time, qty string, p float64) {
	price := decimal.NewFromFloat(p).Round(2)
	q := decimal.RequireFromString(qty)
	fee := q.Mul(price).Mul(decimal.RequireFromString("0.001")).Round(6)
	n := len(fx.trades) + 1
	fx.trades = append(fx.trades, coach.Trade{
		ID: fmt.Sprintf("t%03d", n), UserID: "u1", Broker: "demo", ExtID: fmt.Sprintf("x%03d", n),
		Symbol: sym, Side: side, Qty: q, Price: price,
		Fee: decimal.NewNullDecimal(fee), FeeAsset: sym.Quote(), TS: ts,
	})
}

var (
	btc  = coach.MustParseSymbol("BTC-USDT")
	eth  = coach.MustParseSymbol("ETH-USDT")
	sol  = coach.MustParseSymbol("SOL-USDT")
	link = coach.MustParseSymbol("LINK-USDT")
)

// at returns the time h hours and m minutes after t0.
func at(h, m int) time.Time { return t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }

// newFixture builds 40 days of BTC, ETH and SOL — a BTC pump at day 10 and crash at day 14, an ETH
// slide at day 21, a slow SOL bleed — and a trader who holds a SOL bag, trades ETH most days,
// chases the BTC pump, panics in the crash, rebuys bigger right after the loss, holds ETH losers
// for days, overtrades one day, and takes quick LINK gains early on.
func newFixture() *fixture {
	const bars = 40 * 24
	fx := &fixture{role: map[string]string{}, candles: bias.CandleSeries{
		btc: synthCandles(btc, 1, 60000, bars,
			event{from: 230, to: 242, drift: 0.016, volume: 4},
			event{from: 330, to: 338, drift: -0.02, volume: 3}),
		eth: synthCandles(eth, 2, 3000, bars,
			event{from: 500, to: 510, drift: -0.015, volume: 3}),
		sol: synthCandles(sol, 3, 150, bars,
			event{from: 180, to: 400, drift: -0.0015, volume: 1}),
		link: synthCandles(link, 4, 15, bars),
	}}
	r := &rng{s: 99}
	// A bag: SOL bought early and held to the end, under water most of the time.
	fx.trade(sol, coach.Buy, at(7*24+3, 0), "20", 1.0)
	// Routine: from day 8 on, a buy of ETH most days and a sell a day later.
	for d := 8; d < 38; d++ {
		h := d*24 + 9 + int(r.next()%6)
		fx.trade(eth, coach.Buy, at(h, 13), "0.5", 1.0005)
		fx.trade(eth, coach.Sell, at(h+20, 41), "0.5", 0.9995)
	}
	// A BTC position held through the pump, and the chase: buys near the top of the pump.
	fx.trade(btc, coach.Buy, at(200, 5), "0.01", 1.0)
	fx.name("calmBuy")
	fx.trade(btc, coach.Buy, at(241, 30), "0.02", 1.003)
	fx.name("chase1")
	fx.trade(btc, coach.Buy, at(242, 10), "0.01", 1.004)
	fx.name("chase2")
	// The crash: sells everything well below the high, at a loss.
	fx.trade(btc, coach.Sell, at(336, 20), "0.04", 0.998)
	fx.name("panic")
	// Revenge: twenty minutes later, a much bigger ETH buy.
	fx.trade(eth, coach.Buy, at(336, 40), "3", 1.001)
	fx.name("revenge")
	fx.trade(eth, coach.Sell, at(340, 2), "3", 1.0)
	// Losers held long: ETH bought before its slide and sold days later.
	fx.trade(eth, coach.Buy, at(19*24+2, 0), "0.5", 1.0)
	fx.trade(eth, coach.Sell, at(25*24+2, 0), "0.5", 1.0)
	fx.trade(eth, coach.Buy, at(20*24+2, 0), "0.5", 1.0)
	fx.trade(eth, coach.Sell, at(27*24+2, 0), "0.5", 1.0)
	// An overtraded day: many small ETH round trips on day 30.
	// A spree: a round trip every half hour, a sale fifteen minutes after each buy.
	for i := range 8 {
		fx.trade(eth, coach.Buy, at(30*24+10, 5+30*i), "0.2", 1.0)
		fx.name(fmt.Sprintf("busy%d", 2*i))
		fx.trade(eth, coach.Sell, at(30*24+10, 20+30*i), "0.2", 1.0)
		fx.name(fmt.Sprintf("busy%d", 2*i+1))
	}
	// The written plan (fixturePlan) followed on BTC, flat since the crash: a position sold at its
	// target two hours after the entry, and one sold at its stop an hour after the entry.
	fx.trade(btc, coach.Buy, at(36*24+3, 10), "0.01", 1.0)
	fx.name("planBuy1")
	fx.tradeAt(btc, coach.Sell, at(36*24+5, 10), "0.01", fx.trades[len(fx.trades)-1].Price.InexactFloat64()*(1+fixturePlan.TakeProfitPct/100))
	fx.name("planTarget")
	fx.trade(btc, coach.Buy, at(37*24+3, 10), "0.01", 1.0)
	fx.name("planBuy2")
	fx.tradeAt(btc, coach.Sell, at(37*24+4, 10), "0.01", fx.trades[len(fx.trades)-1].Price.InexactFloat64()*(1-fixturePlan.StopLossPct/100))
	fx.name("planStop")
	// Quick LINK winners, an hour each, on days 8 to 19: with the ETH routine's, enough winning
	// sales for the test of the ETH losers' holding time (p ≤ HoldAlpha needs 19 winners).
	for d := 8; d < 20; d++ {
		for _, h := range []int{4, 16} {
			fx.trade(link, coach.Buy, at(d*24+h, 0), "100", 1.0)
			fx.trade(link, coach.Sell, at(d*24+h+1, 0), "100", 1.01)
		}
	}
	return fx
}

// fixturePlan is the written plan of the fixture's trader: a 2.5% stop and a 4% target.
var fixturePlan = bias.Plan{StopLossPct: 2.5, TakeProfitPct: 4}
