package binance

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// syntheticTradesBody returns a myTrades body of n realistic trades; every quantity (at least
// 0.01) exceeds any fee (below 0.01), so a fee charged in BTC never takes a whole buy.
func syntheticTradesBody(n int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		asset := []string{"USDT", "BTC", "BNB"}[i%3]
		fmt.Fprintf(&b, `{"symbol":"BTCUSDT","id":%d,"orderId":%d,"orderListId":-1,"price":"%d.%02d000000","qty":"0.%08d",`+
			`"quoteQty":"%d.%08d","commission":"0.%08d","commissionAsset":"%s","time":%d,"isBuyer":%t,"isMaker":%t,"isBestMatch":true}`,
			100000+i, 900000+i/2, 40000+i%5000, i%100, 1000000+i%90000000, 10+i%1000, i%99999999, 1+i%999999, asset,
			1704067200000+int64(i)*1000, i%2 == 0, i%3 == 0)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// BenchmarkNormalizeTrades decodes and normalizes 100k myTrades rows per op and reports trades/s.
func BenchmarkNormalizeTrades(b *testing.B) {
	const n = 100_000
	body := syntheticTradesBody(n)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		c0 := cpuTime()
		rows, err := decodeTrades(body)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rows {
			if _, err := r.trade("BTC-USDT"); err != nil {
				b.Fatal(err)
			}
		}
		cpu += cpuTime() - c0
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "fills/s")
	if cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "fills/cpu-s")
	}
}
