package bias

import (
	"math"

	"github.com/tradecoach/coach"
)

var panicSignals = []string{"volSpike", "abnormalVolume", "oversold", "belowBand"}

// panicSell decides PANIC on the sell order f (DEFINITIONS.md, PANIC): a realized loss of at least
// PanicMinLoss of the sold lots' cost, closing at least PanicMinFraction of the position, not at
// the trader's own stop (ex), at least PanicDrawdown below the recent high and within
// PanicNearLow above the lowest close since that high (selling into the fall, not off its
// bounce), with at least PanicMinStress stress signals at the last bar closed before the fill.
// heldBefore is the quantity held before the sell.
func (s *scorer) panicSell(f *fill, sl sale, heldBefore float64, ex exit) {
	cfg := s.cfg
	switch {
	case !sl.known:
		s.skip(f, coach.LabelPanic, CauseNoPosition,
			"unknown P/L: the trades show no holdings of "+string(s.syms[f.sym].sym)+" for this sell to close")
		return
	case !(sl.pnl < 0) || !(sl.cost > 0) || !(-sl.pnl/sl.cost >= cfg.PanicMinLoss):
		return // not a material loss on the position
	case ex.at == exitStop:
		return // the trader's own stop: the plan, not panic
	}
	out := f.qty + f.baseFee
	fraction := 1.0
	if heldBefore > out {
		fraction = out / heldBefore
	}
	if fraction < cfg.PanicMinFraction {
		return
	}
	b := s.bar(f, coach.LabelPanic, s.m.needPanic)
	if b == nil {
		return
	}
	p := f.price
	drawdown := 1 - p/b.hi
	if drawdown < cfg.PanicDrawdown {
		return
	}
	aboveLow := p/s.lowSinceHigh(f) - 1
	if !(aboveLow <= cfg.PanicNearLow) {
		return // the price has bounced off the fall's low: not selling into the fall
	}
	volRatio := math.NaN()
	switch vs, vl := b.volShort, b.volLong; {
	case vl > 0:
		volRatio = vs / vl
	case vl == 0 && vs == 0:
		volRatio = 1 // no volatility in either window: no change, by convention
	}
	av, rsi := b.av, b.rsi
	z := bandZ(p, b.upper, b.mid, b.lower, cfg.BandK)
	sigs := []signal{
		atLeast(volRatio, cfg.VolSpike),
		atLeast(av, cfg.AbnormalVolume),
		atMost(rsi, cfg.RSIOversold),
		atMost(z, -cfg.BandK),
	}
	yes, maybe := count(sigs...)
	switch {
	case yes+maybe < cfg.PanicMinStress:
		return
	case yes < cfg.PanicMinStress:
		s.skip(f, coach.LabelPanic, CauseUndefined, "undefined evidence: "+undefinedNames(sigs, panicSignals))
		return
	}
	lossPct := sl.pnl / sl.cost
	conf := Confidence(cfg.ConfidenceSlope,
		margin(drawdown, cfg.PanicDrawdown, cfg.PanicDrawdown),
		margin(fraction, cfg.PanicMinFraction, 1-cfg.PanicMinFraction),
		max(margin(volRatio, cfg.VolSpike, cfg.VolSpike),
			margin(av, cfg.AbnormalVolume, cfg.AbnormalVolume),
			margin(-rsi, -cfg.RSIOversold, cfg.RSIOversold),
			margin(-z, cfg.BandK, cfg.BandK)),
	)
	o := s.features(f)
	o.time("bar", timeOf(b.open))
	o.begin("ev")
	o.num("pnl", sl.pnl)
	o.num("lossPct", lossPct)
	o.num("soldFraction", fraction)
	o.num("drawdown", drawdown)
	o.num("aboveLow", aboveLow)
	o.num("priorReturn", b.ret)
	o.num("volRatio", volRatio)
	o.num("abnormalVolume", av)
	o.num("rsi", rsi)
	o.num("bandZ", z)
	o.bool("feesKnown", !sl.feesUnknown)
	o.end()
	o.strs("signals", names(sigs, panicSignals))
	s.tag(f, coach.LabelPanic, conf, s.done(&o, s.m.consts.panic))
}

// lowSinceHigh returns the lowest close of the bars of RangeWindow from the last one that made
// the range's highest high up to the last bar closed before the fill f (whose index bar left in
// the symbol's hint): where the fall from the recent high has got to so far. Closes rather than
// lows, so that a coarse bar's passing dip does not count as the fall's level. The bars are
// contiguous, as the warm-up checked.
func (s *scorer) lowSinceHigh(f *fill) float64 {
	st := &s.syms[f.sym]
	bars, c := st.frame.bars, st.hint
	from := max(c-s.cfg.bars(s.cfg.RangeWindow)+1, 0)
	at := from
	for k := from + 1; k <= c; k++ {
		if bars[k].high >= bars[at].high {
			at = k
		}
	}
	lo := bars[at].close
	for k := at + 1; k <= c; k++ {
		lo = min(lo, bars[k].close)
	}
	return lo
}
