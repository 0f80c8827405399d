package aicoach_test

import (
	"testing"

	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/bias/aicoach"
)

// BenchmarkScore scores one history of 2,000 trades over 90 days of hourly candles of two
// symbols in process and through the Client and Handler (loopback HTTP, signed, pages of
// DefaultPageBytes), reporting trades/s and pages per run.
func BenchmarkScore(b *testing.B) {
	trades, cs := history(2000, 24*90)
	req := bias.ScoreRequest{Trades: trades, Candles: cs, Config: bias.DefaultConfig()}
	b.Run("InProcess", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (bias.InProcess{}).Score(bg, req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(trades))*float64(b.N)/b.Elapsed().Seconds(), "trades/s")
	})
	b.Run("Client", func(b *testing.B) {
		var w wire
		srv := server(b, aicoach.HandlerConfig{}, nil)
		c := client(b, srv, 0, &w, nil, nil)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Score(bg, req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(trades))*float64(b.N)/b.Elapsed().Seconds(), "trades/s")
		b.ReportMetric(float64(len(w.requests))/float64(b.N), "pages/run")
	})
}
