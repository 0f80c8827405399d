package talibbench

import (
	talib "github.com/markcheno/go-talib"

	"github.com/tradecoach/coach/bias/indicator"
)

// Case is one indicator computed by both libraries over the same candles, with the parameters
// of the issue: SMA(30), EMA(30), RSI(14), ATR(14), Bollinger(20, 2), MACD(12, 26, 9).
type Case struct {
	Name  string
	Ours  func(c Candles) [][]float64
	Talib func(c Candles) [][]float64
}

// Cases returns the six indicators, then "All": the six one after the other.
func Cases() []Case {
	cs := []Case{
		{
			Name:  "SMA",
			Ours:  func(c Candles) [][]float64 { return [][]float64{indicator.SMA(c.Close, 30)} },
			Talib: func(c Candles) [][]float64 { return [][]float64{talib.Sma(c.Close, 30)} },
		},
		{
			Name:  "EMA",
			Ours:  func(c Candles) [][]float64 { return [][]float64{indicator.EMA(c.Close, 30)} },
			Talib: func(c Candles) [][]float64 { return [][]float64{talib.Ema(c.Close, 30)} },
		},
		{
			Name:  "RSI",
			Ours:  func(c Candles) [][]float64 { return [][]float64{indicator.RSI(c.Close, 14)} },
			Talib: func(c Candles) [][]float64 { return [][]float64{talib.Rsi(c.Close, 14)} },
		},
		{
			Name:  "ATR",
			Ours:  func(c Candles) [][]float64 { return [][]float64{indicator.ATR(c.High, c.Low, c.Close, 14)} },
			Talib: func(c Candles) [][]float64 { return [][]float64{talib.Atr(c.High, c.Low, c.Close, 14)} },
		},
		{
			Name: "Bollinger",
			Ours: func(c Candles) [][]float64 {
				u, m, l := indicator.Bollinger(c.Close, 20, 2)
				return [][]float64{u, m, l}
			},
			Talib: func(c Candles) [][]float64 {
				u, m, l := talib.BBands(c.Close, 20, 2, 2, talib.SMA)
				return [][]float64{u, m, l}
			},
		},
		{
			Name: "MACD",
			Ours: func(c Candles) [][]float64 {
				m, s, h := indicator.MACD(c.Close, 12, 26, 9)
				return [][]float64{m, s, h}
			},
			Talib: func(c Candles) [][]float64 {
				m, s, h := talib.Macd(c.Close, 12, 26, 9)
				return [][]float64{m, s, h}
			},
		},
	}
	all := Case{Name: "All"}
	six := append([]Case(nil), cs...)
	all.Ours = func(c Candles) [][]float64 {
		var out [][]float64
		for _, k := range six {
			out = append(out, k.Ours(c)...)
		}
		return out
	}
	all.Talib = func(c Candles) [][]float64 {
		var out [][]float64
		for _, k := range six {
			out = append(out, k.Talib(c)...)
		}
		return out
	}
	return append(cs, all)
}
