package bias

import (
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// labelConsts are the JSON fragments every tag of a label repeats: its thresholds ("th") and the
// conventions ("conv"). They depend only on the Config, so Prepare builds them once.
type labelConsts struct {
	conv                                       []byte
	fomo, panic, revenge, overtrading, holding []byte
	discipline                                 []byte
}

func newLabelConsts(c Config) labelConsts {
	var k labelConsts
	o := open(nil)
	o.str("interval", string(c.Interval))
	o.str("bar", "lastClosedAtOrBeforeFill")
	o.str("order", "ts,broker,extId")
	o.str("orders", "orderId|ts,symbol,side")
	o.str("volume", "sameHourOfDay")
	o.str("lots", ledger.FIFO.String())
	o.str("ref", "averageCostWithFees")
	o.str("std", "population")
	o.str("rsi", "wilder,flat=0")
	o.str("tz", c.TimeZone)
	k.conv = o.close()

	o = open(nil)
	o.num("rangeHours", c.RangeWindow.Hours())
	o.int("rangeBars", c.bars(c.RangeWindow))
	o.num("nearHigh", c.NearHigh)
	o.num("returnHours", c.ReturnWindow.Hours())
	o.int("returnBars", c.bars(c.ReturnWindow))
	o.num("priorReturn", c.FOMOReturn)
	o.int("volumeDays", c.VolumeDays)
	o.num("abnormalVolume", c.AbnormalVolume)
	o.num("bandHours", c.BandWindow.Hours())
	o.num("bandK", c.BandK)
	o.num("rsiHours", c.RSIWindow.Hours())
	o.num("rsiOverbought", c.RSIOverbought)
	o.int("minSignals", c.FOMOMinSignals)
	k.fomo = o.close()

	o = open(nil)
	o.num("rangeHours", c.RangeWindow.Hours())
	o.int("rangeBars", c.bars(c.RangeWindow))
	o.num("drawdown", c.PanicDrawdown)
	o.num("nearLow", c.PanicNearLow)
	o.num("minLoss", c.PanicMinLoss)
	o.num("soldFraction", c.PanicMinFraction)
	o.num("stopTolerance", c.StopTolerance)
	o.num("volShortHours", c.VolShortWindow.Hours())
	o.num("volLongHours", c.VolLongWindow.Hours())
	o.num("volSpike", c.VolSpike)
	o.int("volumeDays", c.VolumeDays)
	o.num("abnormalVolume", c.AbnormalVolume)
	o.num("rsiHours", c.RSIWindow.Hours())
	o.num("rsiOversold", c.RSIOversold)
	o.num("bandHours", c.BandWindow.Hours())
	o.num("bandK", c.BandK)
	o.int("minStress", c.PanicMinStress)
	k.panic = o.close()

	o = open(nil)
	o.num("windowMinutes", c.RevengeWindow.Minutes())
	o.num("minLoss", c.RevengeMinLoss)
	o.num("sizeMultiple", c.RevengeSizeMultiple)
	o.int("baselineEntries", c.BaselineEntries)
	o.int("minBaselineEntries", c.MinBaselineEntries)
	k.revenge = o.close()

	o = open(nil)
	o.num("windowHours", c.OvertradingWindow.Hours())
	o.num("multiple", c.OvertradingMultiple)
	o.int("minTrades", c.OvertradingMinTrades)
	o.int("baselineDays", c.BaselineDays)
	o.int("minBaselineDays", c.MinBaselineDays)
	k.overtrading = o.close()

	o = open(nil)
	o.int("minEvents", c.MinEvents)
	o.num("holdRatio", c.HoldRatio)
	o.num("alpha", c.HoldAlpha)
	o.num("pastStop", c.HoldPastStop)
	o.num("breakEven", c.HoldBreakEven)
	o.num("stopLossPct", c.Plan.StopLossPct)
	k.holding = o.close()

	o = open(nil)
	o.num("stopLossPct", c.Plan.StopLossPct)
	o.num("takeProfitPct", c.Plan.TakeProfitPct)
	o.num("stopTolerance", c.StopTolerance)
	k.discipline = o.close()
	return k
}

// features starts the features object of a tag on the order f: the definition version, the
// symbol, the side, the order's price, its number of fills and, for an order of several fills,
// "orderOf", the trade id of its first fill (every fill of the order carries the same tag).
// Finish it with done.
func (s *scorer) features(f *fill) jsonObj {
	if s.bare {
		return jsonObj{off: true}
	}
	if cap(s.buf)-len(s.buf) < 2048 {
		s.buf = make([]byte, 0, 64<<10) // a new chunk; earlier tags keep theirs
	}
	o := open(s.buf)
	o.start = len(s.buf)
	o.str("v", s.cfg.Version)
	o.str("symbol", string(s.syms[f.sym].sym))
	o.str("side", string(f.t.Side))
	o.num("price", f.price)
	fills := 1
	if s.order != nil {
		fills = len(s.order.fills)
	}
	o.int("orderFills", fills)
	if fills > 1 {
		o.str("orderOf", s.fills[s.order.fills[0]].key)
	}
	return o
}

// done writes the thresholds th and the conventions, closes the object and returns it.
func (s *scorer) done(o *jsonObj, th []byte) []byte {
	if o.off {
		return nil
	}
	o.raw("th", th)
	o.raw("conv", s.m.consts.conv)
	s.buf = o.close()
	return s.buf[o.start:len(s.buf):len(s.buf)]
}

// bar returns f's last closed bar, which must follow at least need contiguous bars (itself
// included). When it cannot, it records why label is skipped and returns nil.
func (s *scorer) bar(f *fill, label string, need int) *bar {
	st := &s.syms[f.sym]
	b, cause := s.m.lookup(st.frame, f.ts, &st.hint)
	iv := string(s.cfg.Interval)
	switch cause {
	case CauseNoCandles:
		s.skip(f, label, cause, "no "+iv+" candles of "+string(st.sym)+" closed at or before the fill")
		return nil
	case CauseMissingBar:
		closed := time.Unix(0, floorDiv(f.ts, s.m.step)*s.m.step).UTC().Format(time.RFC3339)
		s.skip(f, label, cause, "missing data: the "+iv+" bar of "+string(st.sym)+" that closed at "+closed+" is missing")
		return nil
	}
	if run := int(b.run); run < need {
		s.skip(f, label, CauseWarmup, "insufficient data: "+itoa(run)+" contiguous "+iv+" candles of "+
			string(st.sym)+" before the fill, "+label+" needs "+itoa(need))
		return nil
	}
	return b
}

// decisions records whether any label fired on the current order, whether one that questions it
// did (every label but OVERTRADING and DISCIPLINE), and the first of FOMO, PANIC and REVENGE that
// was skipped.
type decisions struct {
	fired      bool
	questioned bool
	skipLabel  string
	skipWhy    string
}

func (d *decisions) skip(label, cause, reason string) {
	switch label {
	case coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge:
		if d.skipLabel == "" {
			d.skipLabel, d.skipWhy = label, reason
		}
	}
}
