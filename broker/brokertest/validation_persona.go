package brokertest

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// The kinds of a persona's open position.
const (
	posPlanned   = iota + 1 // a planned entry, with the plan's stop and target
	posImpulsive            // a FOMO or REVENGE entry: no stop
	posScalp                // a spree day's scalp
	posBag                  // a loser kept past its stop or cut, hoping to get even
)

// vpPosition is one open position of the persona (at most one per symbol).
type vpPosition struct {
	kind         int
	qty          decimal.Decimal
	entry        float64 // average fill price
	cost         float64 // notional plus fee, USDT
	opened       int     // minute of the entry
	stop, target float64 // planned positions
	nervous      bool    // a planned position whose small gain is taken early
	nervousGain  float64
	until        int // scalp and impulsive: the minute of the time exit; bag: of giving up
	panicRearm   int // no new panic decision before this minute
	spree        bool
}

// persona runs the validation persona over the market, minute by minute, with the rules of
// validation_thresholds.go. It decides with the closes of bars that closed before each minute.
type persona struct {
	r    *rand.Rand
	m    *valMarket
	book *valBook
	pos  []*vpPosition

	chaseRearm []int // per asset: no new rally before this minute
	rallyAt    []int // per asset: the minute the last rally was seen, or -1
	rallyUsed  []int // per asset: the rallyAt whose continuation setup was already decided
	lossAt     int   // the minute of the last realized loss

	revengeAt, revengeAsset int // a pending revenge entry, revengeAt -1 when none

	// Per asset, the highest and lowest closes of the chase lookback and the highest of the
	// panic lookback before each minute (rolling, computed once).
	chaseHi, chaseLo, panicHi [][]float64

	spree  bool  // today is a spree day
	scalps []int // today's scalp minutes, in order
}

func runPersona(seed int64, m *valMarket) ValidationTrader {
	r := rand.New(rand.NewPCG(uint64(seed), 0x7670657273)) // "vpers"
	p := &persona{
		r: r, m: m,
		book:       &valBook{r: rand.New(rand.NewPCG(uint64(seed), 0x7670626f6f6b)), m: m, user: ValidationPersonaUser, prefix: "vp"},
		pos:        make([]*vpPosition, len(valAssets)),
		chaseRearm: make([]int, len(valAssets)),
		rallyAt:    make([]int, len(valAssets)),
		rallyUsed:  make([]int, len(valAssets)),
		lossAt:     math.MinInt32,
		revengeAt:  -1,
	}
	for a := range valAssets {
		p.rallyAt[a], p.rallyUsed[a] = -1, -1
		p.chaseHi = append(p.chaseHi, rollingExtreme(m.closes[a], minutes(vpChaseLookback), true))
		p.chaseLo = append(p.chaseLo, rollingExtreme(m.closes[a], minutes(vpChaseLookback), false))
		p.panicHi = append(p.panicHi, rollingExtreme(m.closes[a], minutes(vpPanicLookback), true))
	}
	for t := ValidationWarmupDays * 24 * 60; t < m.minutes; t++ {
		if t%(24*60) == 0 {
			p.newDay(t)
		}
		for a := range valAssets {
			p.manage(a, t)
		}
		for a := range valAssets {
			p.watchRally(a, t)
		}
		if t == p.revengeAt {
			p.revenge(t)
		}
		for len(p.scalps) > 0 && p.scalps[0] <= t {
			p.scalps = p.scalps[1:]
			p.scalp(t)
		}
		if t%60 == 0 && !p.spree && t-p.lossAt > planCooldown {
			for a := range valAssets {
				p.plan(a, t)
			}
		}
	}
	return p.book.finish()
}

// uniform draws from [lo, hi).
func (p *persona) uniform(lo, hi float64) float64 { return lo + (hi-lo)*p.r.Float64() }

// between draws an integer from [lo, hi].
func (p *persona) between(lo, hi int) int { return lo + p.r.IntN(hi-lo+1) }

// closeMax and closeMin are the highest and lowest closes of the minutes [t-n, t).
func (p *persona) closeMax(a, t, n int) float64 {
	hi := 0.0
	for _, c := range p.m.closes[a][max(t-n, 0):t] {
		hi = max(hi, c)
	}
	return hi
}

func (p *persona) closeMin(a, t, n int) float64 {
	lo := math.Inf(1)
	for _, c := range p.m.closes[a][max(t-n, 0):t] {
		lo = min(lo, c)
	}
	return lo
}

func minutes(d time.Duration) int { return int(d / time.Minute) }

// rollingExtreme returns, for each minute t, the highest (or lowest) of xs[t-n:t] (NaN for t = 0),
// with a monotonic queue.
func rollingExtreme(xs []float64, n int, highest bool) []float64 {
	out := make([]float64, len(xs))
	q := make([]int, 0, n+1) // indexes into xs; their values strictly worse from front to back
	beats := func(x, y float64) bool { return highest && x >= y || !highest && x <= y }
	out[0] = math.NaN()
	for t := 1; t < len(xs); t++ {
		i := t - 1
		for len(q) > 0 && beats(xs[i], xs[q[len(q)-1]]) {
			q = q[:len(q)-1]
		}
		q = append(q, i)
		for q[0] < t-n {
			q = q[1:]
		}
		out[t] = xs[q[0]]
	}
	return out
}

// newDay decides whether the day starting at minute t is a spree day, and when its scalps are.
func (p *persona) newDay(t int) {
	p.spree, p.scalps = false, nil
	if p.r.Float64() >= vpSpreeProb {
		return
	}
	p.spree = true
	n := p.between(vpSpreeMin, vpSpreeMax)
	from := t + p.between(7, 13)*60
	span := p.between(vpSpreeHoursMin, vpSpreeHoursMax) * 60
	for i := range n {
		// Evenly spread with jitter, so the scalps keep coming all through the spree.
		at := from + (i*span)/n + p.r.IntN(max(span/n, 1))
		if at < p.m.minutes-vpScalpHoldMax-1 {
			p.scalps = append(p.scalps, at)
		}
	}
}

// buy places a buy of notional USDT of asset at market in minute t and opens a position of kind.
func (p *persona) buy(a, t int, notional float64, kind int, intents []string, reason string) *vpPosition {
	ex, ok := p.book.place(a, t, coach.Buy, qtyFor(a, notional, p.m.m1[a][t].Open), atMarket, 0, intents, reason)
	if !ok {
		return nil
	}
	pos := &vpPosition{kind: kind, qty: ex.qty, entry: ex.avg, cost: ex.notional + ex.fee, opened: t}
	p.pos[a] = pos
	return pos
}

// sell closes asset's position in minute t, and remembers a realized loss.
func (p *persona) sell(a, t, kind int, level float64, intents []string, reason string) {
	pos := p.pos[a]
	ex, ok := p.book.place(a, t, coach.Sell, pos.qty, kind, level, intents, reason)
	if !ok {
		return
	}
	p.pos[a] = nil
	pnl := ex.notional - ex.fee - pos.cost
	if pnl >= 0 {
		return
	}
	p.lossAt = t
	if -pnl/pos.cost >= vpRevengeMinLoss && p.revengeAt < t && p.r.Float64() < vpRevengeProb {
		p.revengeAt = t + p.between(vpRevengeDelayMin, vpRevengeDelayMax)
		p.revengeAsset = a
	}
}

// manage applies the exit rules to asset's open position in minute t: market decisions at the
// open on the closes before t, then the resting stop and target inside bar t.
func (p *persona) manage(a, t int) {
	pos := p.pos[a]
	if pos == nil {
		return
	}
	c := p.m.closes[a][t-1]
	gain := c/pos.entry - 1
	switch pos.kind {
	case posScalp:
		if t >= pos.until {
			p.sell(a, t, atMarket, 0, []string{coach.LabelOvertrading}, ReasonScalp)
		}
		return
	case posBag:
		if c >= pos.entry*(1-vpGetEven) {
			p.sell(a, t, atMarket, 0, []string{coach.LabelHoldingLosers}, ReasonBagEven)
		} else if t >= pos.until {
			p.sell(a, t, atMarket, 0, []string{coach.LabelHoldingLosers}, ReasonBagGiveUp)
		}
		return
	}
	// A sharp drop while under water: panic, once per drop.
	if t >= pos.panicRearm && -gain >= vpPanicMinLoss && (pos.kind != posPlanned || c > pos.stop) {
		if hi := p.panicHi[a][t]; c <= hi*(1-vpPanicDrop) {
			pos.panicRearm = t + minutes(vpPanicRearm)
			prob := vpPanicProbPlanned
			if pos.kind == posImpulsive {
				prob = vpPanicProbImpulsive
			}
			if p.r.Float64() < prob {
				p.sell(a, t, atMarket, 0, []string{coach.LabelPanic}, ReasonPanic)
				return
			}
		}
	}
	if pos.kind == posImpulsive {
		switch {
		case gain >= vpImpulsiveTarget:
			p.sell(a, t, atMarket, 0, nil, ReasonImpulsiveExit)
		case -gain >= vpImpulsiveCut:
			if p.r.Float64() < vpBagProbImpulsive {
				p.toBag(pos, t)
			} else {
				p.sell(a, t, atMarket, 0, nil, ReasonImpulsiveExit)
			}
		case t >= pos.until:
			p.sell(a, t, atMarket, 0, nil, ReasonImpulsiveExit)
		}
		return
	}
	// A planned position.
	if pos.nervous && t-pos.opened <= minutes(vpNervousWindow) && gain >= pos.nervousGain {
		p.sell(a, t, atMarket, 0, nil, ReasonQuickGain)
		return
	}
	bar := p.m.m1[a][t]
	switch {
	case bar.Low <= pos.stop:
		if p.r.Float64() < vpBagProb {
			p.toBag(pos, t)
			return
		}
		reason := ReasonPlanStop
		if hi := p.panicHi[a][t]; min(c, pos.stop) <= hi*(1-vpPanicDrop) {
			reason = ReasonPlanStopInDrop
		}
		p.sell(a, t, atStop, min(pos.stop, bar.Open), []string{coach.LabelDiscipline}, reason)
	case bar.High >= pos.target:
		p.sell(a, t, atLimit, max(pos.target, bar.Open), []string{coach.LabelDiscipline}, ReasonPlanTarget)
	}
}

// toBag keeps a loser past its stop or cut.
func (p *persona) toBag(pos *vpPosition, t int) {
	pos.kind = posBag
	pos.until = t + p.between(vpBagHoldMin*24*60, vpBagHoldMax*24*60)
}

// watchRally notices a rally on asset at minute t, and chases it on intent.
func (p *persona) watchRally(a, t int) {
	if t < p.chaseRearm[a] {
		return
	}
	c := p.m.closes[a][t-1]
	if c < p.chaseLo[a][t]*(1+vpChaseRise) || c < p.chaseHi[a][t]*(1-vpChaseNearHigh) {
		return
	}
	p.chaseRearm[a] = t + minutes(vpChaseRearm)
	p.rallyAt[a] = t
	if p.pos[a] != nil || p.r.Float64() >= vpChaseProb {
		return
	}
	if pos := p.buy(a, t, planNotionalUSDT*p.uniform(vpChaseSizeMin, vpChaseSizeMax), posImpulsive, []string{coach.LabelFOMO}, ReasonChase); pos != nil {
		pos.until = t + p.between(vpImpulsiveHoldMin*60, vpImpulsiveHoldMax*60)
	}
}

// revenge buys big soon after a realized loss: the same asset if it is flat, else another.
func (p *persona) revenge(t int) {
	p.revengeAt = -1
	a := p.revengeAsset
	if p.pos[a] != nil {
		a = -1
		for _, b := range p.r.Perm(len(valAssets)) {
			if p.pos[b] == nil {
				a = b
				break
			}
		}
		if a < 0 {
			return
		}
	}
	notional := planNotionalUSDT * p.uniform(vpRevengeSizeMin, vpRevengeSizeMax)
	if p.spree {
		if pos := p.buy(a, t, notional, posScalp, []string{coach.LabelRevenge, coach.LabelOvertrading}, ReasonRevenge); pos != nil {
			pos.until, pos.spree = t+p.between(vpScalpHoldMin, vpScalpHoldMax), true
		}
		return
	}
	if pos := p.buy(a, t, notional, posImpulsive, []string{coach.LabelRevenge}, ReasonRevenge); pos != nil {
		pos.until = t + p.between(vpImpulsiveHoldMin*60, vpImpulsiveHoldMax*60)
	}
}

// scalp opens one of a spree day's scalps on a flat asset.
func (p *persona) scalp(t int) {
	for _, a := range p.r.Perm(len(valAssets)) {
		if p.pos[a] != nil {
			continue
		}
		notional := planNotionalUSDT * p.uniform(vpScalpSizeMin, vpScalpSizeMax)
		if pos := p.buy(a, t, notional, posScalp, []string{coach.LabelOvertrading}, ReasonScalp); pos != nil {
			pos.until, pos.spree = t+p.between(vpScalpHoldMin, vpScalpHoldMax), true
		}
		return
	}
}

// plan checks the written plan's setups on a flat asset at the top of an hour.
func (p *persona) plan(a, t int) {
	if p.pos[a] != nil || t < 24*60+1 {
		return
	}
	c := p.m.closes[a][t-1]
	trend := c/p.m.closes[a][t-1-minutes(vpTrendLookback)] - 1
	notional, reason := planNotionalUSDT, ReasonPlanPullback
	if trend >= vpConvictionTrend {
		notional, reason = planConvictionNotional, ReasonPlanConviction
	}
	take := false
	if ra := p.rallyAt[a]; ra >= 0 && ra != p.rallyUsed[a] && t-ra >= minutes(vpAfterRallyMin) && t-ra <= minutes(vpAfterRallyMax) {
		n := minutes(vpConsolidation)
		high := p.closeMax(a, t, t-ra+1)
		if p.closeMax(a, t, n) <= p.closeMin(a, t, n)*(1+vpConsolidationRange) && c >= high*(1-vpAfterRallyNear) {
			p.rallyUsed[a] = ra
			take, reason = p.r.Float64() < vpAfterRallyProb, ReasonPlanAfterRally
		}
	}
	if !take && reason != ReasonPlanAfterRally && trend >= vpTrendMin {
		pb := 1 - c/p.closeMax(a, t, minutes(vpPullbackLookback))
		take = pb >= vpPullbackMin && pb <= vpPullbackMax && p.r.Float64() < vpPullbackProb
	}
	if !take {
		return
	}
	pos := p.buy(a, t, notional, posPlanned, []string{coach.LabelDiscipline}, reason)
	if pos == nil {
		return
	}
	pos.stop = math.Ceil(pos.entry*(1-planStopPct/100)*valAssets[a].scale) / valAssets[a].scale
	pos.target = math.Ceil(pos.entry*(1+planTargetPct/100)*valAssets[a].scale) / valAssets[a].scale
	if p.r.Float64() < vpNervousProb {
		pos.nervous, pos.nervousGain = true, p.uniform(vpNervousGainMin, vpNervousGainMax)
	}
}
