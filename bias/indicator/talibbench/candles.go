package talibbench

import "math/rand/v2"

// MinutesPerYear is the number of one-minute candles in a (non-leap) year of 24/7 trading.
const MinutesPerYear = 525_600

// Candles are bars as parallel slices, the layout both libraries take.
type Candles struct {
	High, Low, Close []float64
}

// Year returns MinutesPerYear one-minute candles of a BTC-like market: a deterministic random
// walk around 60,000 moving by cents (at most $1 a minute), with a high and a low up to $5 on
// either side of each close. The same seed gives the same candles on every machine.
func Year(seed uint64) Candles {
	r := rand.New(rand.NewPCG(seed, 0))
	c := Candles{High: make([]float64, MinutesPerYear), Low: make([]float64, MinutesPerYear), Close: make([]float64, MinutesPerYear)}
	p := 6_000_000.0 // cents
	for i := range c.Close {
		p += float64(r.IntN(201) - 100)
		c.Close[i] = p / 100
		c.High[i] = c.Close[i] + float64(r.IntN(500))/100
		c.Low[i] = c.Close[i] - float64(r.IntN(500))/100
	}
	return c
}
