package indicator_test

import (
	"math"
	"testing"

	"github.com/tradecoach/coach/bias/indicator"
)

// TestStreamsDoNotAllocate checks the promise of the package doc that a stream update allocates
// nothing, through warm-up, steady state, a gap and Reset. The benchmarks show the same as
// allocs/op; this test fails when it stops being true.
func TestStreamsDoNotAllocate(t *testing.T) {
	sma, ema, rsi := must(indicator.NewSMA(30)), must(indicator.NewEMA(10)), must(indicator.NewRSI(14))
	atr, bb, macd := must(indicator.NewATR(14)), must(indicator.NewBollinger(20, 2)), must(indicator.NewMACD(12, 26, 9))
	ret, logRet := must(indicator.NewSimpleReturn(3)), must(indicator.NewLogReturn(3))
	z, vol, av := must(indicator.NewZScore(20)), must(indicator.NewVolatility(20)), must(indicator.NewAbnormalVolume(20))
	hi, lo := must(indicator.NewHighest(20)), must(indicator.NewLowest(20))
	bars := syntheticBars(300, 3)
	bars.close[150] = math.NaN() // a gap restarts every stream
	var acc float64
	run := func() {
		for i, x := range bars.close {
			v1, _ := sma.Update(x)
			v2, _ := ema.Update(x)
			v3, _ := rsi.Update(x)
			v4, _ := atr.Update(bars.high[i], bars.low[i], x)
			v5, _ := bb.Update(x)
			v6, _ := macd.Update(x)
			v7, _ := ret.Update(x)
			v8, _ := logRet.Update(x)
			v9, _ := z.Update(x)
			v10, _ := vol.Update(x)
			v11, _ := av.Update(bars.volume[i])
			v12, _ := hi.Update(bars.high[i])
			v13, _ := lo.Update(bars.low[i])
			acc += v1 + v2 + v3 + v4 + v5.Upper + v6.Hist + v7 + v8 + v9 + v10 + v11 + v12 + v13
		}
		sma.Reset()
		ema.Reset()
		rsi.Reset()
		atr.Reset()
		bb.Reset()
		macd.Reset()
		ret.Reset()
		logRet.Reset()
		z.Reset()
		vol.Reset()
		av.Reset()
		hi.Reset()
		lo.Reset()
	}
	if n := testing.AllocsPerRun(20, run); n != 0 {
		t.Errorf("300 updates of every stream and a Reset allocate %v times, want 0", n)
	}
	sink = acc
}
