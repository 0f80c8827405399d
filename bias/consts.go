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
}

func newLabelConsts(c Config) labelConsts {
	var k labelConsts
	o := open(nil)
	o.str("interval", string(c.Interval))
	o.str("bar", "lastClosedAtOrBeforeFill")
	o.str("order", "ts,broker,extId")
	o.str("lots", ledger.FIFO.String())
	o.str("ref", "averageCostWithFees")
	o.str("std", "population")
	o.str("rsi", "wilder,flat=0")
	o.str("tz", c.TimeZone)
	k.conv = o.close()

	o = open(nil)
	o.int("rangeBars", c.RangeBars)
	o.num("nearHigh", c.NearHigh)
	o.int("returnBars", c.ReturnBars)
	o.num("priorReturn", c.FOMOReturn)
	o.int("volumeBars", c.VolumeBars)
	o.num("abnormalVolume", c.AbnormalVolume)
	o.int("bandBars", c.BandBars)
	o.num("bandK", c.BandK)
	o.int("rsiBars", c.RSIBars)
	o.num("rsiOverbought", c.RSIOverbought)
	o.int("minSignals", c.FOMOMinSignals)
	k.fomo = o.close()

	o = open(nil)
	o.int("rangeBars", c.RangeBars)
	o.num("drawdown", c.PanicDrawdown)
	o.num("soldFraction", c.PanicMinFraction)
	o.int("volShortBars", c.VolShortBars)
	o.int("volLongBars", c.VolLongBars)
	o.num("volSpike", c.VolSpike)
	o.int("volumeBars", c.VolumeBars)
	o.num("abnormalVolume", c.AbnormalVolume)
	o.int("rsiBars", c.RSIBars)
	o.num("rsiOversold", c.RSIOversold)
	o.int("bandBars", c.BandBars)
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
	o.num("multiple", c.OvertradingMultiple)
	o.int("minTrades", c.OvertradingMinTrades)
	o.int("baselineDays", c.BaselineDays)
	o.int("minBaselineDays", c.MinBaselineDays)
	k.overtrading = o.close()

	o = open(nil)
	o.int("minEvents", c.MinEvents)
	o.num("holdRatio", c.HoldRatio)
	k.holding = o.close()
	return k
}

// features starts the features object of a tag on f: the definition version, the symbol, the side
// and the fill price. Finish it with done.
func (s *scorer) features(f *fill) jsonObj {
	if cap(s.buf)-len(s.buf) < 2048 {
		s.buf = make([]byte, 0, 64<<10) // a new chunk; earlier tags keep theirs
	}
	o := open(s.buf)
	o.start = len(s.buf)
	o.str("v", s.cfg.Version)
	o.str("symbol", string(s.syms[f.sym].sym))
	o.str("side", string(f.t.Side))
	o.num("price", f.price)
	return o
}

// done writes the thresholds th and the conventions, closes the object and returns it.
func (s *scorer) done(o *jsonObj, th []byte) []byte {
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

// decisions records whether any label fired on the current trade, and the first of FOMO, PANIC
// and REVENGE that was skipped.
type decisions struct {
	fired     bool
	skipLabel string
	skipWhy   string
}

func (d *decisions) skip(label, cause, reason string) {
	switch label {
	case coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge:
		if d.skipLabel == "" {
			d.skipLabel, d.skipWhy = label, reason
		}
	}
}
