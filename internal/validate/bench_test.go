package validate_test

import (
	"context"
	"testing"

	"github.com/tradecoach/coach/internal/validate"
)

// BenchmarkRunSeed measures the validation of one 60-day seed: building it, scoring the persona
// and the null trader, the sensitivity runs and the three candle intervals. The command runs
// ten.
func BenchmarkRunSeed(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := validate.Run(context.Background(), validate.Options{Tuning: []int64{1}, HeldOut: []int64{}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/seed")
}
