package brokertest

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/tradecoach/coach"
)

// demoAsset describes one simulated market.
type demoAsset struct {
	symbol   coach.Symbol
	price0   float64 // first open
	dailyVol float64 // unconditional σ of daily log returns
	scale    float64 // prices are multiples of 1/scale (1/scale is the tick)
	qtyExp   int32   // quantities have this many decimals
	minuteV  float64 // mean volume of a minute bar, in the base asset
}

var demoAssets = []demoAsset{
	{symbol: "BTC-USDT", price0: 64000, dailyVol: 0.025, scale: 100, qtyExp: 5, minuteV: 14},
	{symbol: "ETH-USDT", price0: 3200, dailyVol: 0.033, scale: 100, qtyExp: 4, minuteV: 190},
	{symbol: "SOL-USDT", price0: 150, dailyVol: 0.045, scale: 1000, qtyExp: 2, minuteV: 4200},
}

// Event kinds.
const (
	eventSpike = iota + 1
	eventCrash
)

// demoEvent is a planted market move. Indexes are minutes from the start.
type demoEvent struct {
	kind int
	// start..legEnd is the sharp move; legEnd..tailEnd the plateau (spike) or capitulation (crash)
	// that runs into the next hour; tailEnd..revEnd the partial reversal.
	start, legEnd, tailEnd, revEnd int
	magnitude                      float64 // size of the sharp move, as a fraction
}

// demoSeries is one asset's market.
type demoSeries struct {
	asset  demoAsset
	m1     []coach.Candle
	h1     []coach.Candle
	events []demoEvent
}

// GARCH(1,1) on one-minute returns: h' = ω + α ε² + β h, with ω set so that the unconditional
// variance is the asset's.
const (
	garchAlpha = 0.06
	garchBeta  = 0.93
	// marketRho correlates the assets through a common factor.
	marketRho = 0.65
)

// genMarket simulates every asset over minutes bars from start. Each asset draws from its own
// stream, the common factor from another, so the whole is a function of seed alone.
func genMarket(seed int64, start time.Time, minutes int) []*demoSeries {
	factor := make([]float64, minutes)
	fr := rand.New(rand.NewPCG(uint64(seed), 0x6d61726b6574)) // "market"
	for i := range factor {
		factor[i] = fr.NormFloat64()
	}
	out := make([]*demoSeries, len(demoAssets))
	for ai, a := range demoAssets {
		r := rand.New(rand.NewPCG(uint64(seed), 0xa55e7000+uint64(ai)))
		s := &demoSeries{asset: a}
		s.events = planEvents(r, start, minutes)
		s.m1 = simulate(r, a, start, minutes, factor, s.events)
		s.h1 = aggregate(s.m1, coach.Hour1)
		out[ai] = s
	}
	return out
}

// planEvents places spikes and crashes: the first after two to three days, then every 2.5 to 5.5
// days. A
// move starts 5-15 minutes past an hour and lasts 25-50 minutes, so that it fills one hourly bar,
// and its plateau or capitulation runs 20-40 minutes into the next hour.
func planEvents(r *rand.Rand, start time.Time, minutes int) []demoEvent {
	var evs []demoEvent
	t := 2*24*60 + r.IntN(24*60)
	for {
		hour := t / 60 * 60
		ev := demoEvent{start: hour + 5 + r.IntN(11)}
		if r.Float64() < 0.55 {
			ev.kind = eventSpike
			ev.magnitude = 0.075 + 0.04*r.Float64()
			ev.legEnd = ev.start + 30 + r.IntN(21)
		} else {
			ev.kind = eventCrash
			ev.magnitude = 0.08 + 0.04*r.Float64()
			ev.legEnd = ev.start + 25 + r.IntN(21)
		}
		ev.tailEnd = (ev.legEnd/60+1)*60 + 20 + r.IntN(21)
		ev.revEnd = ev.tailEnd + 180 + r.IntN(420)
		if ev.revEnd >= minutes-60 {
			break
		}
		evs = append(evs, ev)
		t = ev.revEnd + 2*24*60 + r.IntN(3*24*60)
	}
	return evs
}

// simulate draws the minute bars of one asset.
func simulate(r *rand.Rand, a demoAsset, start time.Time, minutes int, factor []float64, evs []demoEvent) []coach.Candle {
	sigma := a.dailyVol / math.Sqrt(24*60)
	omega := sigma * sigma * (1 - garchAlpha - garchBeta)
	drift := make([]float64, minutes)   // added log return
	volMult := make([]float64, minutes) // σ multiplier
	vlmMult := make([]float64, minutes) // volume multiplier
	for i := range volMult {
		volMult[i], vlmMult[i] = 1, 1
	}
	for _, ev := range evs {
		sign := 1.0
		if ev.kind == eventCrash {
			sign = -1
		}
		legLog := sign * math.Abs(math.Log(1+sign*ev.magnitude))
		// The sharp move, front-loaded.
		n := ev.legEnd - ev.start
		var wsum float64
		for k := range n {
			wsum += 1.5 - float64(k)/float64(n)
		}
		peak := 6 + 4*r.Float64()
		for k := range n {
			i := ev.start + k
			drift[i] += legLog * (1.5 - float64(k)/float64(n)) / wsum
			volMult[i] *= 2.5
			vlmMult[i] *= peak * (1.3 - 0.6*float64(k)/float64(n))
		}
		// Plateau (a little higher) or capitulation (a little lower), still busy.
		tail := ev.tailEnd - ev.legEnd
		for k := range tail {
			i := ev.legEnd + k
			drift[i] += sign * 0.004 / float64(tail)
			volMult[i] *= 1.6
			vlmMult[i] *= 2.2 + 0.8*r.Float64()
		}
		// Partial reversal.
		rev := ev.revEnd - ev.tailEnd
		back := -legLog * (0.45 + 0.3*r.Float64())
		for k := range rev {
			i := ev.tailEnd + k
			drift[i] += back / float64(rev)
			volMult[i] *= 1.2
			vlmMult[i] *= 1.3
		}
	}

	out := make([]coach.Candle, minutes)
	h := sigma * sigma
	p := a.price0
	// Dividing by the integer scale gives the double nearest the decimal price (64000.01, not
	// 64000.009999999995), so prices print as the exchange would show them.
	round := func(x float64) float64 { return math.Round(x*a.scale) / a.scale }
	// Seasonality by minute of the day, damped on weekends (start is midnight UTC).
	var volDay, vlmDay [24 * 60]float64
	for m := range volDay {
		h := float64(m) / 60
		volDay[m] = 1 + 0.3*math.Cos(2*math.Pi*(h-15)/24)
		vlmDay[m] = 1 + 0.45*math.Cos(2*math.Pi*(h-15)/24)
	}
	weekday := start.Weekday()
	for i := range minutes {
		at := start.Add(time.Duration(i) * time.Minute)
		season, vseason := volDay[i%(24*60)], vlmDay[i%(24*60)]
		if wd := (int(weekday) + i/(24*60)) % 7; wd == int(time.Saturday) || wd == int(time.Sunday) {
			season, vseason = season*0.8, vseason*0.7
		}
		z := marketRho*factor[i] + math.Sqrt(1-marketRho*marketRho)*r.NormFloat64()
		if r.Float64() < 0.01 {
			z *= 2.5 // fat tails
		}
		sd := math.Sqrt(h) * season * volMult[i]
		ret := drift[i] + sd*z
		open := p
		p *= math.Exp(ret)
		eps := math.Sqrt(h) * z
		h = omega + garchAlpha*eps*eps + garchBeta*h
		h = min(max(h, 0.2*sigma*sigma), 25*sigma*sigma)

		o, c := round(open), round(p)
		hi := max(open, p) * math.Exp(math.Abs(r.NormFloat64())*0.5*sd)
		lo := min(open, p) * math.Exp(-math.Abs(r.NormFloat64())*0.5*sd)
		hiR := max(math.Ceil(hi*a.scale)/a.scale, o, c)
		loR := max(min(math.Floor(lo*a.scale)/a.scale, o, c), 1/a.scale)
		vol := a.minuteV * vseason * math.Exp(0.35*r.NormFloat64()-0.06) * (1 + 0.5*math.Abs(z)) * vlmMult[i]
		out[i] = coach.Candle{
			Symbol: a.symbol, Interval: coach.Minute1, OpenTime: at,
			Open: o, High: hiR, Low: loR, Close: c, Volume: math.Round(vol*1e4) / 1e4,
		}
	}
	return out
}

// aggregate builds bars of interval iv from consecutive minute bars; a bucket is emitted only
// when all its minutes are present.
func aggregate(m1 []coach.Candle, iv coach.Interval) []coach.Candle {
	n := int(iv.Duration() / time.Minute)
	if n <= 1 {
		return append([]coach.Candle(nil), m1...)
	}
	out := make([]coach.Candle, 0, len(m1)/n+1)
	for i := 0; i < len(m1); {
		b0 := m1[i].OpenTime.Truncate(iv.Duration())
		if !b0.Equal(m1[i].OpenTime) || i+n > len(m1) || !m1[i+n-1].OpenTime.Equal(b0.Add(time.Duration(n-1)*time.Minute)) {
			i++
			continue
		}
		c := coach.Candle{Symbol: m1[i].Symbol, Interval: iv, OpenTime: b0, Open: m1[i].Open, High: m1[i].High, Low: m1[i].Low, Close: m1[i+n-1].Close}
		var v float64
		for _, m := range m1[i : i+n] {
			c.High = max(c.High, m.High)
			c.Low = min(c.Low, m.Low)
			v += m.Volume
		}
		c.Volume = math.Round(v*1e4) / 1e4
		out = append(out, c)
		i += n
	}
	return out
}
