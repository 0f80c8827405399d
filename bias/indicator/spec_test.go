package indicator_test

import (
	"github.com/tradecoach/coach/bias/indicator"
)

// spec describes one indicator with fixed parameters so that the property and fuzz tests can
// treat every indicator alike.
type spec struct {
	name     string
	lookback int
	// abs is the absolute tolerance against the reference, for values near 0 (refTolerance).
	abs float64
	// valid reports whether bar i is an input the indicator accepts (not a gap).
	valid func(b bars, i int) bool
	// batch runs the batch function over b.
	batch func(b bars) [][]float64
	// stream returns a fresh stream.
	stream func() stream
	// ref runs the naive reference over the gap-free bars [from, to).
	ref func(b bars, from, to int) [][]float64
}

// stream is any of the package's streams, fed bar by bar.
type stream struct {
	update func(b bars, i int) ([]float64, bool)
	reset  func()
}

// scalar is the shape of the single-input streams.
type scalar interface {
	Update(x float64) (float64, bool)
	Reset()
}

// onClose adapts a single-input stream fed with closes.
func onClose(s scalar) stream {
	return stream{
		update: func(b bars, i int) ([]float64, bool) {
			v, ok := s.Update(b.close[i])
			return []float64{v}, ok
		},
		reset: s.Reset,
	}
}

func finiteClose(b bars, i int) bool   { return isFinite(b.close[i]) }
func positiveClose(b bars, i int) bool { return isFinite(b.close[i]) && b.close[i] > 0 }
func validVolume(b bars, i int) bool   { return isFinite(b.volume[i]) && b.volume[i] >= 0 }
func validBar(b bars, i int) bool {
	return isFinite(b.high[i]) && isFinite(b.low[i]) && isFinite(b.close[i])
}

// specs returns every indicator with period n (and parameters derived from it).
func specs(n int) []spec {
	fast, slow, signal := n, 2*n+1, max(1, n/2+1)
	one := func(f func(xs []float64) []float64) func(b bars, from, to int) [][]float64 {
		return func(b bars, from, to int) [][]float64 { return [][]float64{f(b.close[from:to])} }
	}
	return []spec{
		{
			name: "SMA", lookback: n - 1, valid: finiteClose,
			batch:  func(b bars) [][]float64 { return [][]float64{indicator.SMA(b.close, n)} },
			stream: func() stream { return onClose(must(indicator.NewSMA(n))) },
			ref:    one(func(xs []float64) []float64 { return refSMA(xs, n) }),
		},
		{
			name: "EMA", lookback: n - 1, valid: finiteClose,
			batch:  func(b bars) [][]float64 { return [][]float64{indicator.EMA(b.close, n)} },
			stream: func() stream { return onClose(must(indicator.NewEMA(n))) },
			ref:    one(func(xs []float64) []float64 { return refEMA(xs, n) }),
		},
		{
			name: "RSI", lookback: n, valid: finiteClose,
			batch:  func(b bars) [][]float64 { return [][]float64{indicator.RSI(b.close, n)} },
			stream: func() stream { return onClose(must(indicator.NewRSI(n))) },
			ref:    one(func(xs []float64) []float64 { return refRSI(xs, n) }),
		},
		{
			name: "ATR", lookback: n, valid: validBar,
			batch: func(b bars) [][]float64 { return [][]float64{indicator.ATR(b.high, b.low, b.close, n)} },
			stream: func() stream {
				s := must(indicator.NewATR(n))
				return stream{
					update: func(b bars, i int) ([]float64, bool) {
						v, ok := s.Update(b.high[i], b.low[i], b.close[i])
						return []float64{v}, ok
					},
					reset: s.Reset,
				}
			},
			ref: func(b bars, from, to int) [][]float64 {
				return [][]float64{refATR(b.high[from:to], b.low[from:to], b.close[from:to], n)}
			},
		},
		{
			name: "Bollinger", lookback: n - 1, valid: finiteClose,
			batch: func(b bars) [][]float64 {
				u, m, l := indicator.Bollinger(b.close, n, 2)
				return [][]float64{u, m, l}
			},
			stream: func() stream {
				s := must(indicator.NewBollinger(n, 2))
				return stream{
					update: func(b bars, i int) ([]float64, bool) {
						v, ok := s.Update(b.close[i])
						return []float64{v.Upper, v.Middle, v.Lower}, ok
					},
					reset: s.Reset,
				}
			},
			ref: func(b bars, from, to int) [][]float64 {
				u, m, l := refBollinger(b.close[from:to], n, 2)
				return [][]float64{u, m, l}
			},
		},
		{
			name: "MACD", lookback: slow - 1 + signal - 1, valid: finiteClose,
			batch: func(b bars) [][]float64 {
				m, s, h := indicator.MACD(b.close, fast, slow, signal)
				return [][]float64{m, s, h}
			},
			stream: func() stream {
				s := must(indicator.NewMACD(fast, slow, signal))
				return stream{
					update: func(b bars, i int) ([]float64, bool) {
						v, ok := s.Update(b.close[i])
						return []float64{v.MACD, v.Signal, v.Hist}, ok
					},
					reset: s.Reset,
				}
			},
			ref: func(b bars, from, to int) [][]float64 {
				m, s, h := refMACD(b.close[from:to], fast, slow, signal)
				return [][]float64{m, s, h}
			},
		},
		{
			name: "SimpleReturn", lookback: n, valid: positiveClose,
			batch:  func(b bars) [][]float64 { return [][]float64{indicator.SimpleReturn(b.close, n)} },
			stream: func() stream { return onClose(must(indicator.NewSimpleReturn(n))) },
			ref:    one(func(xs []float64) []float64 { return refReturns(xs, n, false) }),
		},
		{
			name: "LogReturn", lookback: n, valid: positiveClose,
			batch:  func(b bars) [][]float64 { return [][]float64{indicator.LogReturn(b.close, n)} },
			stream: func() stream { return onClose(must(indicator.NewLogReturn(n))) },
			ref:    one(func(xs []float64) []float64 { return refReturns(xs, n, true) }),
		},
		{
			// A z-score near 0 is (x − mean)/σ with x − mean cancelling: its absolute error is
			// about ε·|x|/σ, 1e-12 for prices of 100 moving by cents, in the reference too.
			name: "ZScore", lookback: n - 1, valid: finiteClose, abs: 1e-9,
			batch:  func(b bars) [][]float64 { return [][]float64{indicator.ZScore(b.close, n)} },
			stream: func() stream { return onClose(must(indicator.NewZScore(n))) },
			ref:    one(func(xs []float64) []float64 { return refZScore(xs, n) }),
		},
		{
			name: "Volatility", lookback: n, valid: positiveClose,
			batch:  func(b bars) [][]float64 { return [][]float64{indicator.Volatility(b.close, n)} },
			stream: func() stream { return onClose(must(indicator.NewVolatility(n))) },
			ref:    one(func(xs []float64) []float64 { return refVolatility(xs, n) }),
		},
		{
			name: "AbnormalVolume", lookback: n, valid: validVolume,
			batch: func(b bars) [][]float64 { return [][]float64{indicator.AbnormalVolume(b.volume, n)} },
			stream: func() stream {
				s := must(indicator.NewAbnormalVolume(n))
				return stream{
					update: func(b bars, i int) ([]float64, bool) {
						v, ok := s.Update(b.volume[i])
						return []float64{v}, ok
					},
					reset: s.Reset,
				}
			},
			ref: func(b bars, from, to int) [][]float64 {
				return [][]float64{refAbnormalVolume(b.volume[from:to], n)}
			},
		},
		{
			name: "Highest", lookback: n - 1, valid: finiteClose,
			batch:  func(b bars) [][]float64 { return [][]float64{indicator.Highest(b.close, n)} },
			stream: func() stream { return onClose(must(indicator.NewHighest(n))) },
			ref:    one(func(xs []float64) []float64 { return refExtremum(xs, n, true) }),
		},
		{
			name: "Lowest", lookback: n - 1, valid: finiteClose,
			batch:  func(b bars) [][]float64 { return [][]float64{indicator.Lowest(b.close, n)} },
			stream: func() stream { return onClose(must(indicator.NewLowest(n))) },
			ref:    one(func(xs []float64) []float64 { return refExtremum(xs, n, false) }),
		},
	}
}

// lookbacks returns the Lookback of a fresh stream of every indicator with period n, by name,
// to check the specs (and the doc table) against the streams themselves.
func lookbacks(n int) map[string]int {
	fast, slow, signal := n, 2*n+1, max(1, n/2+1)
	return map[string]int{
		"SMA":            must(indicator.NewSMA(n)).Lookback(),
		"EMA":            must(indicator.NewEMA(n)).Lookback(),
		"RSI":            must(indicator.NewRSI(n)).Lookback(),
		"ATR":            must(indicator.NewATR(n)).Lookback(),
		"Bollinger":      must(indicator.NewBollinger(n, 2)).Lookback(),
		"MACD":           must(indicator.NewMACD(fast, slow, signal)).Lookback(),
		"SimpleReturn":   must(indicator.NewSimpleReturn(n)).Lookback(),
		"LogReturn":      must(indicator.NewLogReturn(n)).Lookback(),
		"ZScore":         must(indicator.NewZScore(n)).Lookback(),
		"Volatility":     must(indicator.NewVolatility(n)).Lookback(),
		"AbnormalVolume": must(indicator.NewAbnormalVolume(n)).Lookback(),
		"Highest":        must(indicator.NewHighest(n)).Lookback(),
		"Lowest":         must(indicator.NewLowest(n)).Lookback(),
	}
}

// run feeds every bar of b to s and returns its nOut outputs, one slice each, and whether each
// ok agreed with its outputs (ok exactly when no output is NaN).
func (s stream) run(b bars, nOut int) (outs [][]float64, okAgrees bool) {
	okAgrees = true
	outs = make([][]float64, nOut)
	for i := range b.close {
		vs, ok := s.update(b, i)
		for k, v := range vs {
			outs[k] = append(outs[k], v)
			if ok == (v != v) {
				okAgrees = false
			}
		}
	}
	return outs, okAgrees
}
