package brokertest

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/tradecoach/coach"
)

// valAsset is one market of the validation persona's world: different symbols, prices and
// volatilities from the demo's, so that nothing tuned on one carries over by accident.
type valAsset struct {
	symbol   coach.Symbol
	price0   float64
	dailyVol float64 // σ of daily log returns on a normal day
	tick     float64 // prices are multiples of tick
	scale    float64 // 1/tick
	qtyExp   int32   // quantity decimals
	minuteV  float64 // mean base-asset volume of a minute bar at the day's average hour
}

var valAssets = []valAsset{
	{symbol: "BTC-USDT", price0: 58000, dailyVol: 0.028, tick: 0.01, scale: 100, qtyExp: 5, minuteV: 11},
	{symbol: "ETH-USDT", price0: 2900, dailyVol: 0.036, tick: 0.01, scale: 100, qtyExp: 4, minuteV: 160},
	{symbol: "SOL-USDT", price0: 135, dailyVol: 0.05, tick: 0.001, scale: 1000, qtyExp: 2, minuteV: 3800},
	{symbol: "LINK-USDT", price0: 14, dailyVol: 0.055, tick: 0.001, scale: 1000, qtyExp: 2, minuteV: 21000},
}

// The day regimes of the simulated market.
const (
	regimeQuiet = iota
	regimeNormal
	regimeChop
	regimeRally
	regimeCrash
)

// regimeNames name the regimes for tests and documentation.
var regimeNames = [...]string{"quiet", "normal", "chop", "rally", "crash"}

// regimeOdds are the chances of each regime on a day: the market's regime is drawn first, and
// each asset follows it with probability regimeFollow, else draws its own.
var regimeOdds = [...]float64{0.22, 0.45, 0.15, 0.1, 0.08}

const regimeFollow = 0.6

// valMarket is the validation world: one-minute bars for every asset, and each day's regime.
type valMarket struct {
	start   time.Time
	minutes int
	m1      [][]coach.Candle // by asset
	closes  [][]float64      // by asset, close of each minute
	regimes [][]int          // by asset, by day
}

// drawRegime picks a regime by regimeOdds.
func drawRegime(r *rand.Rand) int {
	u := r.Float64()
	for i, p := range regimeOdds {
		if u < p {
			return i
		}
		u -= p
	}
	return regimeNormal
}

// genValMarket simulates days of minute bars from start (midnight UTC) for every valAsset. It is
// a function of seed alone: the market's regimes come from one stream, each asset's bars from
// its own.
func genValMarket(seed int64, start time.Time, days int) *valMarket {
	minutes := days * 24 * 60
	m := &valMarket{start: start, minutes: minutes}
	mr := rand.New(rand.NewPCG(uint64(seed), 0x76616c6d6b74)) // "valmkt"
	market := make([]int, days)
	for d := range market {
		market[d] = drawRegime(mr)
	}
	factor := make([]float64, minutes)
	for i := range factor {
		factor[i] = mr.NormFloat64()
	}
	for ai, a := range valAssets {
		r := rand.New(rand.NewPCG(uint64(seed), 0x76616c0000+uint64(ai)))
		regs := make([]int, days)
		for d := range regs {
			regs[d] = market[d]
			if r.Float64() >= regimeFollow {
				regs[d] = drawRegime(r)
			}
		}
		m1 := simulateVal(r, a, start, regs, factor)
		closes := make([]float64, len(m1))
		for i, c := range m1 {
			closes[i] = c.Close
		}
		m.m1 = append(m.m1, m1)
		m.closes = append(m.closes, closes)
		m.regimes = append(m.regimes, regs)
	}
	return m
}

// dayPath is the planned shape of one day: an added log drift, a σ multiplier and a volume
// multiplier for each minute, and for chop the level it reverts to.
type dayPath struct {
	drift, vol, vlm [24 * 60]float64
	revert          float64 // mean-reversion strength per minute toward the day's open (chop)
}

// planDay shapes one day of the given regime for an asset.
func planDay(r *rand.Rand, regime int) *dayPath {
	p := &dayPath{}
	for i := range p.vol {
		p.vol[i], p.vlm[i] = 1, 1
	}
	scale := func(v, l float64) {
		for i := range p.vol {
			p.vol[i] *= v
			p.vlm[i] *= l
		}
	}
	switch regime {
	case regimeQuiet:
		scale(0.45, 0.55)
	case regimeNormal:
		// A gentle trend over the day, up or down.
		tr := (r.Float64()*2 - 1) * 0.025
		for i := range p.drift {
			p.drift[i] = tr / float64(len(p.drift))
		}
	case regimeChop:
		scale(1.6, 1.35)
		p.revert = 0.01
	case regimeRally, regimeCrash:
		sign, mag, legMin, legMax := 1.0, 0.04+0.08*r.Float64(), 40, 180
		if regime == regimeCrash {
			sign, mag, legMin, legMax = -1, 0.05+0.1*r.Float64(), 20, 120
		}
		start := 2*60 + r.IntN(18*60)
		n := legMin + r.IntN(legMax-legMin+1)
		total := sign * math.Abs(math.Log(1+sign*mag))
		// The leg: front-loaded for a crash, accelerating for a rally.
		var wsum float64
		w := make([]float64, n)
		for k := range w {
			x := float64(k) / float64(n)
			if sign < 0 {
				w[k] = 1.6 - x
			} else {
				w[k] = 0.5 + x
			}
			wsum += w[k]
		}
		busy := 3 + 3*r.Float64()
		for k := range n {
			i := start + k
			if i >= len(p.drift) {
				break
			}
			p.drift[i] += total * w[k] / wsum
			p.vol[i] *= 2.2
			p.vlm[i] *= busy * (0.6 + w[k]/wsum*float64(n)*0.5)
		}
		// Afterwards: a partial give-back over a few hours, still busy.
		back := -total * (0.2 + 0.35*r.Float64())
		after := 120 + r.IntN(300)
		for k := range after {
			i := start + n + k
			if i >= len(p.drift) {
				break
			}
			p.drift[i] += back / float64(after)
			p.vol[i] *= 1.4
			p.vlm[i] *= 1.6
		}
	}
	return p
}

// simulateVal draws the minute bars of one asset over the given day regimes.
func simulateVal(r *rand.Rand, a valAsset, start time.Time, regs []int, factor []float64) []coach.Candle {
	sigma := a.dailyVol / math.Sqrt(24*60)
	// Intraday seasonality: volume peaks in the afternoon UTC (US and Europe overlap) and troughs
	// before dawn; volatility follows it less strongly. Weekends are calmer.
	var volSeason, vlmSeason [24 * 60]float64
	for i := range volSeason {
		h := float64(i) / 60
		volSeason[i] = 1 + 0.25*math.Cos(2*math.Pi*(h-15)/24)
		vlmSeason[i] = 1 + 0.55*math.Cos(2*math.Pi*(h-15)/24)
	}
	out := make([]coach.Candle, 0, len(regs)*24*60)
	p := a.price0
	logVol := 0.0 // slow volatility clustering, AR(1) in log σ
	for d, reg := range regs {
		path := planDay(r, reg)
		dayOpen := p
		weekend := 1.0
		if wd := start.AddDate(0, 0, d).Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend = 0.7
		}
		for i := range 24 * 60 {
			at := start.Add(time.Duration(d*24*60+i) * time.Minute)
			logVol = 0.999*logVol + 0.02*r.NormFloat64()
			z := 0.6*factor[d*24*60+i] + 0.8*r.NormFloat64()
			if r.Float64() < 0.008 {
				z *= 3 // fat tails
			}
			sd := sigma * volSeason[i] * path.vol[i] * math.Exp(logVol) * math.Sqrt(weekend)
			ret := path.drift[i] + sd*z
			if path.revert > 0 {
				ret -= path.revert * math.Log(p/dayOpen)
			}
			open := p
			p *= math.Exp(ret)
			o, c := roundTick(open, a), roundTick(p, a)
			hi := max(open, p) * math.Exp(math.Abs(r.NormFloat64())*0.4*sd)
			lo := min(open, p) * math.Exp(-math.Abs(r.NormFloat64())*0.4*sd)
			hiR := max(math.Ceil(hi*a.scale)/a.scale, o, c)
			loR := max(min(math.Floor(lo*a.scale)/a.scale, o, c), a.tick)
			v := a.minuteV * vlmSeason[i] * weekend * path.vlm[i] * math.Exp(0.4*r.NormFloat64()-0.08) * (1 + 0.4*math.Abs(z))
			out = append(out, coach.Candle{
				Symbol: a.symbol, Interval: coach.Minute1, OpenTime: at,
				Open: o, High: hiR, Low: loR, Close: c, Volume: math.Round(v*1e4) / 1e4,
			})
		}
	}
	return out
}

// roundTick rounds a price to the asset's tick; dividing by the integer scale gives the double
// nearest the decimal price, so prices print as an exchange would show them.
func roundTick(x float64, a valAsset) float64 {
	return max(math.Round(x*a.scale)/a.scale, a.tick)
}
