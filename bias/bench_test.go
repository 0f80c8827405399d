package bias_test

import (
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/ledger"
)

// benchMarket returns a year of hourly candles for two symbols and n trades spread evenly over it,
// in trade order as the store lists them: a very active trader alternating buys and sells of BTC
// and ETH, about $600 a trade within ±20%, and one trade in forty three times as large.
func benchMarket(n int) ([]coach.Trade, bias.CandleSeries) {
	const bars = 365 * 24
	candles := bias.CandleSeries{
		btc: synthCandles(btc, 11, 60000, bars, event{from: 4000, to: 4012, drift: 0.01, volume: 4}, event{from: 6000, to: 6010, drift: -0.02, volume: 3}),
		eth: synthCandles(eth, 12, 3000, bars, event{from: 5000, to: 5012, drift: 0.01, volume: 4}),
	}
	r := &rng{s: 5}
	trades := make([]coach.Trade, n)
	span := int64((bars - 200) * time.Hour)
	start := t0.Add(200 * time.Hour)
	for i := range trades {
		sym := btc
		if i%3 == 0 {
			sym = eth
		}
		ts := start.Add(time.Duration(int64(i) * (span / int64(n))))
		side := coach.Buy
		if i%2 == 1 {
			side = coach.Sell
		}
		p := candles[sym][int(ts.Sub(t0)/time.Hour)-1].Close * (0.999 + 0.002*r.float())
		id := "b" + strconv.Itoa(i)
		notional := 480 + 240*r.float() // about $600 a trade, ±20%…
		if r.next()%40 == 0 {
			notional *= 3 // …with an occasional spike
		}
		qty := int64(notional / p * 1e4)
		trades[i] = coach.Trade{ID: id, UserID: "u", Broker: "demo", ExtID: id, Symbol: sym, Side: side,
			Qty: decimal.New(qty, -4), Price: decimal.NewFromFloat(p).Round(2),
			Fee: decimal.NewNullDecimal(decimal.New(int64(r.next()%100), -2)), FeeAsset: sym.Quote(), TS: ts}
	}
	return trades, candles
}

// BenchmarkScore measures scoring once the indicators are computed (Prepare is outside the loop):
// ledger, features, labels and account metrics for 200,000 trades.
func BenchmarkScore(b *testing.B) {
	trades, candles := benchMarket(200_000)
	m, err := bias.Prepare(candles, bias.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var tags int
	cpu0 := cpuTime()
	for b.Loop() {
		res, err := m.Score(trades)
		if err != nil {
			b.Fatal(err)
		}
		tags = len(res.Tags)
	}
	b.ReportMetric(float64(len(trades))*float64(b.N)/b.Elapsed().Seconds(), "trades/s")
	// On a shared machine wall time includes waiting for a CPU; CPU time (all threads, GC
	// included) is what scoring costs.
	b.ReportMetric(float64(len(trades))*float64(b.N)/(cpuTime()-cpu0).Seconds(), "trades/cpu-s")
	b.ReportMetric(float64(tags), "tags")
}

// BenchmarkPrepare measures computing every indicator over a year of hourly candles of two
// symbols.
func BenchmarkPrepare(b *testing.B) {
	_, candles := benchMarket(1)
	n := len(candles[btc]) + len(candles[eth])
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bias.Prepare(candles, bias.DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "candles/s")
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScoreLedger runs only the trade ledger (ledger.New(ledger.FIFO).Apply) on the
// trades of BenchmarkScore, to show how much of Score's cost is realized P/L.
func BenchmarkScoreLedger(b *testing.B) {
	trades, _ := benchMarket(200_000)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := ledger.New(ledger.FIFO).Apply(trades); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(trades))*float64(b.N)/b.Elapsed().Seconds(), "trades/s")
	b.ReportMetric(float64(len(trades))*float64(b.N)/(cpuTime()-cpu0).Seconds(), "trades/cpu-s")
}
