package brokertest

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// The persona: a retail trader with about 10,000 USDT who follows a plan most days — fixed
// 1,000 USDT entries, a stop 1.2% below, a target 2.4% above, no entry within an hour of a loss,
// never at the day's highs — and breaks it in the ways the bias labels describe:
//
//   - FOMO: after a spike it buys the next hour, near the highs, about twice its usual size;
//   - PANIC: holding a position into a crash, it sells all of it in the hour after the drop, at a
//     loss, near the lows;
//   - REVENGE: minutes after such a loss (and sometimes after a stop) it buys again, three times
//     its usual size;
//   - OVERTRADING: on a few days it scalps 16-24 round trips;
//   - DISPOSITION: it takes small gains quickly (+0.6-0.9%) while it holds "bags" — positions
//     under water that it keeps for days, hoping to get even (HOLDING_LOSERS).
//
// The market is simulated first; the persona then chooses its moments with hindsight (that is
// how a planted behaviour is guaranteed to show). Each asset holds at most one open lot at a
// time, so every sell closes exactly the lot it was planned for and holdings never go negative.
const (
	planNotional  = 1000.0 // the plan's fixed entry size, USDT
	planStop      = 0.012
	planTarget    = 0.024
	feeRate       = 0.001 // taker fee, charged in USDT
	warmupMinutes = 8 * 24 * 60
)

type plannedFill struct {
	asset int
	at    time.Time
	seq   int // planning order, to break ties
	side  coach.Side
	qty   decimal.Decimal
	price decimal.Decimal
	ep    int
}

type plannedEpisode struct {
	kind  string
	asset int
	focus int // index of the fill that shows the behaviour
	fills []int
}

type span struct{ from, to int }

type planner struct {
	r        *rand.Rand
	series   []*demoSeries
	minutes  int
	fills    []plannedFill
	episodes []plannedEpisode
	busy     [][]span
	losses   []int // minutes of sells that realized a loss
}

func newPlanner(seed int64, series []*demoSeries, minutes int) *planner {
	return &planner{
		r:       rand.New(rand.NewPCG(uint64(seed), 0x706572736f6e61)), // "persona"
		series:  series,
		minutes: minutes,
		busy:    make([][]span, len(series)),
	}
}

func (p *planner) plan(days int) {
	p.planBags(2, false)
	p.planBags(2, true)
	p.planEvents()
	over := p.pickOvertradingDays(days)
	for d := range days {
		if slices.Contains(over, d) {
			p.overtradingDay(d)
			continue
		}
		p.routineDay(d)
	}
	// A plan trade must not follow a loss within the hour; a loss planned later (a stop hit by a
	// trade entered earlier the same day) can break that, and such a trade is no longer labelled.
	for i, e := range p.episodes {
		if e.kind == coach.LabelDiscipline && p.lossNear(p.minuteOf(p.fills[e.focus])) {
			p.episodes[i].kind = ""
		}
	}
}

// ---- market reads ----

func (p *planner) bar(a, m int) coach.Candle { return p.series[a].m1[m] }

func (p *planner) roundPrice(a int, x float64) float64 {
	s := p.series[a].asset.scale
	return math.Round(x*s) / s
}

// fillPrice is a market order's price in minute m: the open with a little slippage against the
// trader, inside the bar's range.
func (p *planner) fillPrice(a, m int, side coach.Side) float64 {
	b := p.bar(a, m)
	slip := 1 + 0.0003*p.r.Float64()
	if side == coach.Sell {
		slip = 2 - slip
	}
	return clamp(p.roundPrice(a, b.Open*slip), b.Low, b.High)
}

// lastClosedHour is the hourly bar that closed last at or before minute m (the bar a label reads).
func lastClosedHour(m int) int { return m/60 - 1 }

// rangePos is (price − min low)/(max high − min low) over the 24 hourly bars up to c.
func (p *planner) rangePos(a, c int, price float64) float64 {
	h := p.series[a].h1
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, b := range h[c-23 : c+1] {
		lo, hi = min(lo, b.Low), max(hi, b.High)
	}
	if hi <= lo {
		return 0.5
	}
	return (price - lo) / (hi - lo)
}

func (p *planner) high24(a, c int) float64 {
	hi := 0.0
	for _, b := range p.series[a].h1[c-23 : c+1] {
		hi = max(hi, b.High)
	}
	return hi
}

// abnormalVolume is V[c] over the mean of the 168 bars before c.
func (p *planner) abnormalVolume(a, c int) float64 {
	h := p.series[a].h1
	var s float64
	for _, b := range h[c-168 : c] {
		s += b.Volume
	}
	return h[c].Volume / (s / 168)
}

func (p *planner) return24(a, c int) float64 {
	h := p.series[a].h1
	return h[c].Close/h[c-24].Close - 1
}

// ---- lots and fills ----

func (p *planner) free(a, from, to int) bool {
	if from < 0 || to >= p.minutes {
		return false
	}
	for _, s := range p.busy[a] {
		if from <= s.to+1 && to >= s.from-1 {
			return false
		}
	}
	return true
}

func (p *planner) reserve(a, from, to int) { p.busy[a] = append(p.busy[a], span{from, to}) }

func (p *planner) lossNear(m int) bool {
	for _, l := range p.losses {
		if l <= m && m-l <= 60 {
			return true
		}
	}
	return false
}

// qtyFor is the quantity notional buys at price, rounded down to the asset's step.
func (p *planner) qtyFor(a int, notional, price float64) decimal.Decimal {
	return decimal.NewFromFloat(notional / price).RoundDown(p.series[a].asset.qtyExp)
}

// trade records an order filled in parts (partial fills at the same second) and returns the fill
// indexes.
func (p *planner) trade(ep, a, m, sec int, side coach.Side, qty decimal.Decimal, price float64, parts int) []int {
	at := p.series[a].m1[m].OpenTime.Add(time.Duration(sec) * time.Second)
	b := p.bar(a, m)
	tick := 1 / p.series[a].asset.scale
	var idx []int
	left := qty
	for k := range parts {
		q := left
		if k < parts-1 {
			q = qty.Mul(decimal.NewFromFloat(0.5 / float64(k+1))).RoundDown(p.series[a].asset.qtyExp)
			if q.Sign() <= 0 || !q.LessThan(left) {
				continue
			}
		}
		left = left.Sub(q)
		pk := price
		if k > 0 { // later parts walk the book by a tick
			if side == coach.Buy {
				pk = clamp(p.roundPrice(a, price+float64(k)*tick), b.Low, b.High)
			} else {
				pk = clamp(p.roundPrice(a, price-float64(k)*tick), b.Low, b.High)
			}
		}
		idx = append(idx, len(p.fills))
		p.fills = append(p.fills, plannedFill{
			asset: a, at: at, seq: len(p.fills), side: side, qty: q,
			price: decimal.NewFromFloat(pk).Round(int32(math.Round(math.Log10(p.series[a].asset.scale)))), ep: ep,
		})
		if left.Sign() <= 0 {
			break
		}
	}
	return idx
}

// roundTrip plans a buy at minute in and a sell of the same quantity at minute out, reserves the
// asset, records the episode and returns its index (or -1 if the quantity rounds to nothing).
// focusExit says whether the sell, rather than the buy, shows the behaviour.
func (p *planner) roundTrip(kind string, a, in int, inPrice float64, out int, outPrice float64, notional float64, parts int, focusExit bool) int {
	qty := p.qtyFor(a, notional, inPrice)
	if qty.Sign() <= 0 {
		return -1
	}
	ep := len(p.episodes)
	buys := p.trade(ep, a, in, 1+p.r.IntN(50), coach.Buy, qty, inPrice, parts)
	sellParts := 1
	if parts > 1 {
		sellParts = 2
	}
	sells := p.trade(ep, a, out, 1+p.r.IntN(50), coach.Sell, qty, outPrice, sellParts)
	e := plannedEpisode{kind: kind, asset: a, fills: append(buys, sells...), focus: buys[0]}
	if focusExit {
		e.focus = sells[0]
	}
	p.episodes = append(p.episodes, e)
	p.reserve(a, in, out)
	if outPrice*(1-feeRate) < inPrice*(1+feeRate) {
		p.losses = append(p.losses, out)
	}
	return ep
}

// ---- exits ----

// planExit walks forward from entry for a plan trade: the first bar reaching the stop (checked
// first) or the target, or a market exit after maxHold minutes.
func (p *planner) planExit(a, in int, entry float64, maxHold int) (int, float64) {
	stop, target := entry*(1-planStop), entry*(1+planTarget)
	for m := in + 1; m < min(in+maxHold, p.minutes); m++ {
		b := p.bar(a, m)
		if b.Low <= stop {
			return m, clamp(p.roundPrice(a, stop), b.Low, b.High)
		}
		if b.High >= target {
			return m, clamp(p.roundPrice(a, target), b.Low, b.High)
		}
	}
	m := min(in+maxHold, p.minutes-1)
	return m, p.fillPrice(a, m, coach.Sell)
}

// dispositionExit walks forward from entry the way the persona manages its own ideas: a small
// gain is taken at once; a loss is held until it gets even, or until maxHold runs out.
func (p *planner) dispositionExit(a, in int, entry float64, take float64, maxHold int) (int, float64) {
	target := entry * (1 + take)
	under := false
	for m := in + 1; m < min(in+maxHold, p.minutes); m++ {
		b := p.bar(a, m)
		if b.High >= target {
			return m, clamp(p.roundPrice(a, target), b.Low, b.High)
		}
		if b.Close < entry*0.985 {
			under = true
		}
		if under && b.High >= entry*1.001 {
			return m, clamp(p.roundPrice(a, entry*1.001), b.Low, b.High)
		}
	}
	m := min(in+maxHold, p.minutes-1)
	return m, p.fillPrice(a, m, coach.Sell)
}

// ---- episodes ----

// planBags buys n positions that go under water and holds them for days (HOLDING_LOSERS), selling
// when they get even or, at the latest, after 6-10 days or just before the asset's next crash; a
// bag held into a crash may be dumped in it instead (PANIC), half the time, when panicky.
func (p *planner) planBags(n int, panicky bool) {
	for range n {
		for try := 0; try < 1000; try++ {
			a := p.r.IntN(len(p.series))
			in := warmupMinutes + p.r.IntN(max(1, p.minutes-warmupMinutes-3*24*60))
			entry := p.fillPrice(a, in, coach.Buy)
			if !p.free(a, in, in) || p.rangePos(a, lastClosedHour(in), entry) >= 0.8 {
				continue
			}
			// Hindsight: it must be 2.5% under water within a day.
			low := math.Inf(1)
			for m := in; m < min(in+24*60, p.minutes); m++ {
				low = min(low, p.bar(a, m).Low)
			}
			if low > entry*0.975 {
				continue
			}
			if pm, ok := p.panicDuring(a, in+6*60, in+10*24*60, entry); ok && panicky && p.r.Float64() < 0.5 {
				if out := pm; p.free(a, in, out) {
					p.roundTrip(coach.LabelPanic, a, in, entry, out, p.fillPrice(a, out, coach.Sell), p.notional(1000, 1250), 1, true)
					p.revengeAfter(a, out)
					break
				}
				continue
			}
			end := in + (6+p.r.IntN(5))*24*60
			for _, ev := range p.series[a].events {
				if ev.kind == eventCrash && ev.start > in && ev.start-30 < end {
					end = ev.start - 30
				}
			}
			if end-in < 2*24*60+60 {
				continue
			}
			out, price := p.dispositionExit(a, in, entry, 10, end-in) // 10: a gain is never taken
			if out-in < 2*24*60+60 || price >= entry*0.99 || !p.free(a, in, out) {
				continue
			}
			p.roundTrip(coach.LabelHoldingLosers, a, in, entry, out, price, p.notional(1000, 1250), 1, true)
			break
		}
	}
}

// panicMinute is when the persona sells into crash ev: in the hour after the crash's bar closed.
func (p *planner) panicMinute(ev demoEvent) int { return (ev.legEnd/60+1)*60 + 1 + p.r.IntN(15) }

// panicDuring finds a crash of asset a starting in [from, to) whose panic sale would be a PANIC.
func (p *planner) panicDuring(a, from, to int, entry float64) (int, bool) {
	for _, ev := range p.series[a].events {
		if ev.kind != eventCrash || ev.start < from || ev.start >= to {
			continue
		}
		m := p.panicMinute(ev)
		if p.panicShows(a, m, entry) {
			return m, true
		}
	}
	return 0, false
}

// panicShows checks, with the bars a scorer reads, that a full sale at minute m is a PANIC: a
// loss, at least 6% under the 24-hour high, with capitulation volume in the last closed hour.
func (p *planner) panicShows(a, m int, entry float64) bool {
	c := lastClosedHour(m)
	if c < 24*7+24 || m >= p.minutes {
		return false
	}
	price := p.bar(a, m).Open
	return price < entry*0.985 && 1-price/p.high24(a, c) >= 0.06 && p.abnormalVolume(a, c) >= 2.5
}

// planEvents reacts to the planted spikes (FOMO) and crashes (PANIC, then REVENGE).
func (p *planner) planEvents() {
	for a, s := range p.series {
		for _, ev := range s.events {
			if ev.start < warmupMinutes {
				continue
			}
			switch ev.kind {
			case eventSpike:
				if p.r.Float64() < 0.85 {
					p.fomo(a, ev)
				}
			case eventCrash:
				if p.r.Float64() < 0.9 {
					p.panic(a, ev)
				}
			}
		}
	}
}

// fomo buys in the hour after a spike, near the highs, if a scorer would see the attention
// signals (24-hour return ≥ 6%, abnormal volume ≥ 2.5, range position ≥ 0.85).
func (p *planner) fomo(a int, ev demoEvent) {
	next := (ev.legEnd/60 + 1) * 60
	in := next + 1 + p.r.IntN(min(12, ev.tailEnd-next-1))
	c := lastClosedHour(in)
	entry := p.fillPrice(a, in, coach.Buy)
	if p.return24(a, c) < 0.06 || p.abnormalVolume(a, c) < 2.5 || p.rangePos(a, c, entry) < 0.85 {
		return
	}
	out, price := p.dispositionExit(a, in, entry, 0.008, (3+p.r.IntN(4))*24*60)
	if !p.free(a, in, out) {
		return
	}
	ep := p.roundTrip(coach.LabelFOMO, a, in, entry, out, price, p.notional(1800, 2400), 2, false)
	if ep >= 0 && price < entry && out-in >= 2*24*60 {
		// The chase went wrong and was held for days: the exit shows HOLDING_LOSERS too.
		e := p.episodes[ep]
		focus := e.fills[len(e.fills)-1]
		for _, i := range e.fills {
			if p.fills[i].side == coach.Sell {
				focus = i
				break
			}
		}
		p.episodes = append(p.episodes, plannedEpisode{kind: coach.LabelHoldingLosers, asset: a, fills: e.fills, focus: focus})
	}
}

// panic holds a swing position bought 6-30 hours before the crash and dumps it in the hour after.
func (p *planner) panic(a int, ev demoEvent) {
	out := p.panicMinute(ev)
	for try := 0; try < 6; try++ {
		in := ev.start - (6*60 + p.r.IntN(24*60))
		if in < warmupMinutes || !p.free(a, in, out) || p.lossNear(in) {
			continue
		}
		entry := p.fillPrice(a, in, coach.Buy)
		if p.rangePos(a, lastClosedHour(in), entry) >= 0.8 || !p.panicShows(a, out, entry) {
			continue
		}
		p.roundTrip(coach.LabelPanic, a, in, entry, out, p.fillPrice(a, out, coach.Sell), p.notional(1000, 1250), 1, true)
		p.revengeAfter(a, out)
		return
	}
}

// revengeAfter buys 5-35 minutes after a realized loss at minute loss, three times the usual
// size, preferring the asset just sold, and sells 45-200 minutes later.
func (p *planner) revengeAfter(a, loss int) {
	// Before the warm-up there is no baseline of entries to be three times bigger than.
	if p.r.Float64() >= 0.85 || loss < warmupMinutes {
		return
	}
	in := loss + 5 + p.r.IntN(31)
	out := in + 45 + p.r.IntN(156)
	for k := range len(p.series) {
		b := (a + k) % len(p.series)
		if !p.free(b, in, out) {
			continue
		}
		p.roundTrip(coach.LabelRevenge, b, in, p.fillPrice(b, in, coach.Buy), out, p.fillPrice(b, out, coach.Sell), p.notional(3000, 3800), 3, false)
		return
	}
}

// routineDay: one or two plan trades and, most days, a quick small gain taken while something
// else is held at a loss. Weekends are quiet half the time.
func (p *planner) routineDay(d int) {
	day := d * 24 * 60
	wd := p.series[0].m1[min(day, p.minutes-1)].OpenTime.Weekday()
	if (wd == time.Saturday || wd == time.Sunday) && p.r.Float64() < 0.5 {
		return
	}
	for range 1 + p.r.IntN(2) {
		p.planTrade(day)
	}
	if p.r.Float64() < 0.7 {
		p.quickGain(day)
	}
}

// planTrade follows the plan: fixed size, stop, target, not near the highs, not after a loss.
func (p *planner) planTrade(day int) {
	for try := 0; try < 20; try++ {
		a := p.r.IntN(len(p.series))
		in := day + 8*60 + p.r.IntN(13*60)
		if in < 25*60 || in >= p.minutes-60 || p.lossNear(in) {
			continue
		}
		entry := p.fillPrice(a, in, coach.Buy)
		if in >= 24*60+60 && p.rangePos(a, lastClosedHour(in), entry) > 0.7 {
			continue
		}
		out, price := p.planExit(a, in, entry, 24*60)
		if !p.free(a, in, out) {
			continue
		}
		p.roundTrip(coach.LabelDiscipline, a, in, entry, out, price, planNotional, 1, false)
		if price < entry*0.99 && p.r.Float64() < 0.3 {
			p.revengeAfter(a, out)
		}
		return
	}
}

// quickGain buys where, with hindsight, +0.6-0.9% comes within 8 hours before −2%, and takes it.
// It is a DISPOSITION episode when another asset is held at a loss at the sale.
func (p *planner) quickGain(day int) {
	take := 0.006 + 0.003*p.r.Float64()
	for try := 0; try < 30; try++ {
		a := p.r.IntN(len(p.series))
		in := day + 7*60 + p.r.IntN(15*60)
		if in < 25*60 || in >= p.minutes-8*60 {
			continue
		}
		entry := p.fillPrice(a, in, coach.Buy)
		out := -1
		for m := in + 1; m < in+8*60; m++ {
			b := p.bar(a, m)
			if b.Low <= entry*0.98 {
				break
			}
			if b.High >= entry*(1+take) {
				out = m
				break
			}
		}
		if out < 0 || !p.free(a, in, out) {
			continue
		}
		price := clamp(p.roundPrice(a, entry*(1+take)), p.bar(a, out).Low, p.bar(a, out).High)
		kind := ""
		if p.heldAtLoss(a, out) {
			kind = coach.LabelDisposition
		}
		p.roundTrip(kind, a, in, entry, out, price, p.notional(900, 1200), 1, true)
		return
	}
}

// heldAtLoss reports whether an asset other than a has an open lot at a paper loss at minute m, as
// Odean classifies it: the last hourly bar closed before m traded wholly below the lot's cost
// (price plus buy fee).
func (p *planner) heldAtLoss(a, m int) bool {
	for _, e := range p.episodes {
		if e.asset == a || e.asset < 0 || len(e.fills) == 0 {
			continue
		}
		buy, sell := p.fills[e.fills[0]], p.fills[e.fills[len(e.fills)-1]]
		inM, outM := p.minuteOf(buy), p.minuteOf(sell)
		if inM < m-60 && outM > m && p.series[e.asset].h1[lastClosedHour(m)].High < buy.price.InexactFloat64()*(1+feeRate) {
			return true
		}
	}
	return false
}

func (p *planner) minuteOf(f plannedFill) int {
	return int(f.at.Sub(p.series[0].m1[0].OpenTime) / time.Minute)
}

// pickOvertradingDays chooses three days after the warm-up, at least five days apart, on which
// some asset is free from 08:00 to midnight.
func (p *planner) pickOvertradingDays(days int) []int {
	var out []int
	for try := 0; try < 500 && len(out) < 3; try++ {
		d := 9 + p.r.IntN(max(1, days-10))
		ok := d < days-1
		free := false
		for a := range p.series {
			free = free || p.free(a, d*24*60+8*60, (d+1)*24*60-1)
		}
		ok = ok && free
		for _, o := range out {
			if d-o < 5 && o-d < 5 {
				ok = false
			}
		}
		if ok {
			out = append(out, d)
		}
	}
	return out
}

// overtradingDay scalps 16-24 round trips of 3-15 minutes, 20-40 minutes apart, from 08:00.
func (p *planner) overtradingDay(d int) {
	m := d*24*60 + 8*60
	n := 16 + p.r.IntN(9)
	var fills []int
	first := -1
	for k := 0; k < n && m < (d+1)*24*60-30; k++ {
		out := m + 3 + p.r.IntN(13)
		a0 := p.r.IntN(len(p.series))
		for j := range len(p.series) {
			a := (a0 + j) % len(p.series)
			if !p.free(a, m, out) {
				continue
			}
			if ep := p.roundTrip("", a, m, p.fillPrice(a, m, coach.Buy), out, p.fillPrice(a, out, coach.Sell), p.notional(900, 1200), 1, false); ep >= 0 {
				fills = append(fills, p.episodes[ep].fills...)
				if first < 0 {
					first = p.episodes[ep].fills[0]
				}
			}
			break
		}
		m = out + 20 + p.r.IntN(21)
	}
	if len(fills) > 0 {
		p.episodes = append(p.episodes, plannedEpisode{kind: coach.LabelOvertrading, asset: -1, focus: first, fills: fills})
	}
}

func (p *planner) notional(lo, hi float64) float64 {
	return math.Round(lo + (hi-lo)*p.r.Float64())
}

func clamp(x, lo, hi float64) float64 { return min(max(x, lo), hi) }
