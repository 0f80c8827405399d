package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// syntheticFills returns n fills of one user over four symbols in time order, as Binance reports
// them (amounts with 8 decimal places): per symbol, buys and sells alternate, each sell takes 40%
// to 100% of what is held (so sells close whole lots and split others), buys pay their fee in the
// base asset, sells in the quote asset, and every tenth fill pays in BNB.
func syntheticFills(n int) []coach.Trade {
	rng := rand.New(rand.NewPCG(1, 2))
	syms := []struct {
		sym   coach.Symbol
		price int64 // in 1e-8
	}{
		{"BTC-USDT", 65_000_00000000}, {"ETH-USDT", 3_400_00000000}, {"SOL-USDT", 150_00000000}, {"ETH-BTC", 5_200_000},
	}
	held := make([]int64, len(syms))
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	fills := make([]coach.Trade, n)
	for i := range fills {
		k := i % len(syms)
		s := &syms[k]
		s.price += s.price / 1000 * (rng.Int64N(21) - 10) / 10 // ±1% steps
		f := coach.Trade{
			ID:     fmt.Sprintf("t%d", i),
			UserID: "u1",
			Broker: "binance",
			ExtID:  fmt.Sprintf("%d", i),
			Symbol: s.sym,
			Price:  decimal.New(s.price/1_000_000*1_000_000, -8), // 2 decimals, written with 8
			TS:     t0.Add(time.Duration(i) * time.Second),
		}
		if (i/len(syms))%2 == 0 || held[k] < 1000 {
			q := 100_000 + rng.Int64N(100_000_000) // 0.001 to 1.001
			f.Side, f.Qty = coach.Buy, decimal.New(q, -8)
			fee := q / 1000
			f.Fee, f.FeeAsset = decimal.NewNullDecimal(decimal.New(fee, -8)), s.sym.Base()
			held[k] += q - fee
		} else {
			q := held[k] * (40 + rng.Int64N(61)) / 100
			f.Side, f.Qty = coach.Sell, decimal.New(q, -8)
			fee := decimal.New(q, -8).Mul(f.Price).Div(decimal.NewFromInt(1000)).Round(8)
			f.Fee, f.FeeAsset = decimal.NewNullDecimal(fee), s.sym.Quote()
			held[k] -= q
		}
		if i%10 == 9 {
			f.Fee, f.FeeAsset = decimal.NewNullDecimal(decimal.New(rng.Int64N(100_000)+1, -8)), "BNB"
			if f.Side == coach.Buy {
				held[k] += f.Qty.CoefficientInt64() / 1000
			}
		}
		fills[i] = f
	}
	return fills
}

var bnbUSDT, bnbBTC = decimal.New(600, 0), decimal.New(92, -4)

// bnbPrice converts BNB fees at a fixed price.
func bnbPrice(asset, quote string, _ time.Time) (decimal.Decimal, bool) {
	switch {
	case asset == "BNB" && quote == "USDT":
		return bnbUSDT, true
	case asset == "BNB" && quote == "BTC":
		return bnbBTC, true
	}
	return decimal.Decimal{}, false
}

// benchmarkLedger applies 1M synthetic fills: in one history (one Result of 500k closing fills,
// ~180 MB, so memory traffic counts), and as 100 histories of 10k fills (a typical user; the
// Result stays in cache).
func benchmarkLedger(b *testing.B, method ledger.CostMethod) {
	fills := syntheticFills(1_000_000)
	l := ledger.New(method)
	l.FeePrices = bnbPrice
	if r, err := l.Apply(fills); err != nil || len(r.Uncovered) > 0 {
		b.Fatalf("synthetic fills: err %v, %d uncovered", err, len(r.Uncovered))
	}
	for _, size := range []int{1_000_000, 10_000} {
		b.Run(fmt.Sprintf("history=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				for i := 0; i < len(fills); i += size {
					if _, err := l.Apply(fills[i:min(i+size, len(fills))]); err != nil {
						b.Fatal(err)
					}
				}
			}
			n := float64(len(fills)) * float64(b.N)
			b.ReportMetric(n/b.Elapsed().Seconds(), "fills/s")
			// On a shared machine wall time includes waiting for a core; CPU time (every thread
			// of the process, the garbage collector's included) is what a fill costs.
			if cpu := cpuTime() - cpu; cpu > 0 {
				b.ReportMetric(float64(cpu)/n, "cpu-ns/fill")
			}
		})
	}
}

func BenchmarkLedgerFIFO(b *testing.B) { benchmarkLedger(b, ledger.FIFO) }

func BenchmarkLedgerAverageCost(b *testing.B) { benchmarkLedger(b, ledger.AverageCost) }

func BenchmarkLedgerLIFO(b *testing.B) { benchmarkLedger(b, ledger.LIFO) }

func BenchmarkLedgerHIFO(b *testing.B) { benchmarkLedger(b, ledger.HIFO) }

// openLotFills returns one BTC-USDT history of open+n fills that first buys open lots at random
// prices, then repeats two buys and a sell of two lots' worth, so that every sell closes two lots
// while open lots stay open.
func openLotFills(open, n int) []coach.Trade {
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	fills := make([]coach.Trade, open+n)
	for i := range fills {
		f := coach.Trade{
			ID: fmt.Sprintf("t%d", i), UserID: "u1", Broker: "binance", ExtID: fmt.Sprintf("%d", i), Symbol: "BTC-USDT",
			Side: coach.Buy, Qty: decimal.New(1, 0), Price: decimal.New(50_000+rng.Int64N(20_000), 0),
			TS: t0.Add(time.Duration(i) * time.Second), Fee: decimal.NewNullDecimal(decimal.New(5, 0)), FeeAsset: "USDT",
		}
		if i >= open && (i-open)%3 == 2 {
			f.Side, f.Qty = coach.Sell, decimal.New(2, 0)
		}
		fills[i] = f
	}
	return fills
}

// BenchmarkLedgerOpenLots measures the cost of a fill with many lots open: matching must not
// scan them (HIFO keeps a heap), so a fill costs about as much with 100k lots open as with 1k.
func BenchmarkLedgerOpenLots(b *testing.B) {
	for _, method := range []ledger.CostMethod{ledger.FIFO, ledger.LIFO, ledger.HIFO} {
		for _, open := range []int{1_000, 100_000} {
			fills := openLotFills(open, 100_000)
			b.Run(fmt.Sprintf("%s/open=%d", method, open), func(b *testing.B) {
				l := ledger.New(method)
				if r, err := l.Apply(fills); err != nil || len(r.Uncovered) > 0 {
					b.Fatalf("err %v, %d uncovered", err, len(r.Uncovered))
				}
				cpu := cpuTime()
				for b.Loop() {
					if _, err := l.Apply(fills); err != nil {
						b.Fatal(err)
					}
				}
				if cpu := cpuTime() - cpu; cpu > 0 {
					b.ReportMetric(float64(cpu)/float64(len(fills))/float64(b.N), "cpu-ns/fill")
				}
			})
		}
	}
}
