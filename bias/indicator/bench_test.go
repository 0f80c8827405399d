package indicator_test

import (
	"math/rand/v2"
	"testing"

	"github.com/tradecoach/coach/bias/indicator"
)

// minutesPerYear is the number of one-minute candles in a (non-leap) year of 24/7 trading.
const minutesPerYear = 525_600

// benchBars is a few thousand minute candles of a BTC-like market, small enough to stay in the
// L1 cache, so that the stream benchmarks measure the update and not memory.
var benchBars = syntheticBars(1<<12, 1)

// sink keeps the compiler from discarding the values a benchmark computes.
var sink float64

// syntheticBars returns n minute candles: a random walk around 60,000 by cents, with a high and
// low around each close and exponential volumes.
func syntheticBars(n int, seed uint64) bars {
	r := rand.New(rand.NewPCG(seed, 0))
	b := bars{high: make([]float64, n), low: make([]float64, n), close: make([]float64, n), volume: make([]float64, n)}
	p := 6_000_000.0 // cents
	for i := range n {
		p += float64(r.IntN(201) - 100)
		b.close[i] = p / 100
		b.high[i] = b.close[i] + float64(r.IntN(500))/100
		b.low[i] = b.close[i] - float64(r.IntN(500))/100
		b.volume[i] = 10 * r.ExpFloat64()
	}
	return b
}

// reportPerCandle reports the time per candle, the unit a stream's cost is thought of in, given
// that each benchmark iteration pushed candles candles: ns/candle from the wall clock, and
// cpu-ns/candle from the process's CPU time since cpu0 (a cpuTime reading taken just before
// the loop), which time spent preempted on a loaded machine does not inflate.
func reportPerCandle(b *testing.B, candles int, cpu0 int64) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(candles), "ns/candle")
	if cpu0 != 0 {
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/float64(candles), "cpu-ns/candle")
	}
}

// BenchmarkStreamSMA: The SMA(30) of closes.
func BenchmarkStreamSMA(b *testing.B) {
	s := must(indicator.NewSMA(30))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamEMA: The EMA(10) of closes.
func BenchmarkStreamEMA(b *testing.B) {
	s := must(indicator.NewEMA(10))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamRSI: The RSI(14) of closes.
func BenchmarkStreamRSI(b *testing.B) {
	s := must(indicator.NewRSI(14))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamSimpleReturn: One-bar simple returns.
func BenchmarkStreamSimpleReturn(b *testing.B) {
	s := must(indicator.NewSimpleReturn(1))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamLogReturn: One-bar log returns.
func BenchmarkStreamLogReturn(b *testing.B) {
	s := must(indicator.NewLogReturn(1))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamZScore: The z-score(20) of closes.
func BenchmarkStreamZScore(b *testing.B) {
	s := must(indicator.NewZScore(20))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamVolatility: The volatility of an hour of one-minute log returns.
func BenchmarkStreamVolatility(b *testing.B) {
	s := must(indicator.NewVolatility(60))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamAbnormalVolume: Abnormal volume against a day of minutes.
func BenchmarkStreamAbnormalVolume(b *testing.B) {
	s := must(indicator.NewAbnormalVolume(1440))
	xs := benchBars.volume
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamHighest: The highest close of the last hour; the amortized cost of its block maxima.
func BenchmarkStreamHighest(b *testing.B) {
	s := must(indicator.NewHighest(60))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamLowest: The lowest close of the last hour.
func BenchmarkStreamLowest(b *testing.B) {
	s := must(indicator.NewLowest(60))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamATR: the ATR(14) of high, low and close.
func BenchmarkStreamATR(b *testing.B) {
	s := must(indicator.NewATR(14))
	c := benchBars
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for i := range c.close {
			v, _ := s.Update(c.high[i], c.low[i], c.close[i])
			acc += v
		}
	}
	sink = acc
	reportPerCandle(b, len(c.close), cpu0)
}

// BenchmarkStreamBollinger: Bollinger Bands (20, 2) of closes.
func BenchmarkStreamBollinger(b *testing.B) {
	s := must(indicator.NewBollinger(20, 2))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v.Upper
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkStreamMACD: MACD (12, 26, 9) of closes.
func BenchmarkStreamMACD(b *testing.B) {
	s := must(indicator.NewMACD(12, 26, 9))
	xs := benchBars.close
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
		for _, x := range xs {
			v, _ := s.Update(x)
			acc += v.Hist
		}
	}
	sink = acc
	reportPerCandle(b, len(xs), cpu0)
}

// BenchmarkYearOfMinuteCandles pushes a year of one-minute candles (525,600) through one stream
// of every indicator, as a host scoring a symbol's history would, and reports the time a year.
// The streams are made once and Reset for each year, so allocs/op shows what the updates
// allocate: nothing.
func BenchmarkYearOfMinuteCandles(b *testing.B) {
	c := syntheticBars(minutesPerYear, 2)
	sma, ema, rsi := must(indicator.NewSMA(30)), must(indicator.NewEMA(10)), must(indicator.NewRSI(14))
	atr, bb, macd := must(indicator.NewATR(14)), must(indicator.NewBollinger(20, 2)), must(indicator.NewMACD(12, 26, 9))
	ret, logRet := must(indicator.NewSimpleReturn(1)), must(indicator.NewLogReturn(1))
	z, vol, av := must(indicator.NewZScore(20)), must(indicator.NewVolatility(60)), must(indicator.NewAbnormalVolume(1440))
	hi, lo := must(indicator.NewHighest(60)), must(indicator.NewLowest(60))
	b.ReportAllocs()
	var acc float64
	cpu0 := cpuTime()
	for b.Loop() {
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
		for i, x := range c.close {
			v1, _ := sma.Update(x)
			v2, _ := ema.Update(x)
			v3, _ := rsi.Update(x)
			v4, _ := atr.Update(c.high[i], c.low[i], x)
			v5, _ := bb.Update(x)
			v6, _ := macd.Update(x)
			v7, _ := ret.Update(x)
			v8, _ := logRet.Update(x)
			v9, _ := z.Update(x)
			v10, _ := vol.Update(x)
			v11, _ := av.Update(c.volume[i])
			v12, _ := hi.Update(c.high[i])
			v13, _ := lo.Update(c.low[i])
			acc += v1 + v2 + v3 + v4 + v5.Upper + v6.Hist + v7 + v8 + v9 + v10 + v11 + v12 + v13
		}
	}
	sink = acc
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/year")
	if cpu0 != 0 {
		b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(b.N), "cpu-ms/year")
	}
	reportPerCandle(b, len(c.close), cpu0)
}
