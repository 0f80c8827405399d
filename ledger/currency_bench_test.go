package ledger_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// minuteBars returns n one-minute bars of sym from start, closing at close + i·step.
func minuteBars(sym coach.Symbol, start time.Time, n int, close, step float64) []coach.Candle {
	out := make([]coach.Candle, n)
	for i := range out {
		c := close + float64(i)*step
		out[i] = coach.Candle{Symbol: sym, Interval: coach.Minute1, OpenTime: start.Add(time.Duration(i) * time.Minute), Open: c, High: c, Low: c, Close: c, Volume: 1}
	}
	return out
}

// BenchmarkInCurrency converts the realized P/L of 100k synthetic fills (about 50k closes in USDT
// and BTC, over 28 hours) and their open positions into USD with minute candles: USDT through
// USDT-USD, BTC through BTC-USDT and USDT-USD.
func BenchmarkInCurrency(b *testing.B) {
	fills := syntheticFills(100_000)
	res, err := ledger.New(ledger.FIFO).Apply(fills)
	if err != nil && res == nil {
		b.Fatal(err)
	}
	start := fills[0].TS.Truncate(time.Minute).Add(-time.Hour)
	n := int(fills[len(fills)-1].TS.Sub(start)/time.Minute) + 120
	c, err := ledger.NewConverter(ledger.ConverterConfig{Currency: "USD", Candles: coach.SeriesOf(append(
		minuteBars("USDT-USD", start, n, 0.999, 0.0000001),
		minuteBars("BTC-USDT", start, n, 65000, 0.01)...,
	))})
	if err != nil {
		b.Fatal(err)
	}
	end := fills[len(fills)-1].TS.Add(time.Minute).Truncate(time.Minute)
	marks := map[coach.Symbol]decimal.Decimal{
		"BTC-USDT": decimal.New(65000, 0), "ETH-USDT": decimal.New(3400, 0), "SOL-USDT": decimal.New(150, 0), "ETH-BTC": decimal.New(52, -3),
	}
	var rep *ledger.CurrencyReport
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		rep = res.InCurrency(c, end, marks)
	}
	if cpu := cpuTime() - cpu; cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(len(res.Realized)*b.N), "cpu-ns/close")
	}
	if rep.Totals.Excluded != 0 {
		b.Fatalf("%d unconvertible: %+v", rep.Totals.Excluded, rep.Unconvertible[0])
	}
	b.ReportMetric(float64(len(res.Realized))*float64(b.N)/b.Elapsed().Seconds(), "closes/s")
}
