package coinbase

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// syntheticFillsBody returns a List Fills body of n realistic fills.
func syntheticFillsBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"fills":[`)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		side := "BUY"
		if i%2 == 1 {
			side = "SELL"
		}
		fmt.Fprintf(&b, `{"entry_id":"%064x","trade_id":"cdc39e45-bbd3-44ec-bf02-%012x","order_id":"813a53c5-3e39-47bb-863d-%012x",`+
			`"trade_time":"%s","trade_type":"FILL","price":"%d.%02d","size":"0.%06d","commission":"0.%08d","product_id":"BTC-USD",`+
			`"sequence_timestamp":"%s","liquidity_indicator":"TAKER","size_in_quote":%t,"user_id":"3333-333333-3333333","side":"%s",`+
			`"retail_portfolio_id":"4444-444444-4444444"}`,
			i, i, i/3, t0.Add(time.Duration(i)*time.Second+123456789).Format(time.RFC3339Nano), 40000+i%5000, i%100, 1+i%999999, 1+i%99999999,
			t0.Add(time.Duration(i)*time.Second+124).Format(time.RFC3339Nano), i%9 == 4, side)
	}
	b.WriteString(`],"cursor":""}`)
	return b.Bytes()
}

// BenchmarkNormalizeFills decodes and normalizes 100k fills per op and reports fills/s.
func BenchmarkNormalizeFills(b *testing.B) {
	const n = 100_000
	body := syntheticFillsBody(n)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		c0 := cpuTime()
		p, err := decodeFills(body)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range p.Fills {
			if _, err := f.trade(""); err != nil {
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
