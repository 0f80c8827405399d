package talibbench

import (
	"slices"
	"testing"
	"time"
)

// year is the series every benchmark and test here runs on.
var year = Year(1)

// sink keeps the compiler from discarding results.
var sink [][]float64

// BenchmarkVsTalib times each indicator, and the six together, ours against go-talib's on a
// year of one-minute candles. For each there are three sub-benchmarks:
//
//   - ours and talib time one library alone (ns/op, allocations);
//   - ratio runs both in the same loop, alternating which goes first, and reports
//     x-talib = median CPU time of ours / median CPU time of go-talib's (process CPU time, so
//     that the garbage collector's work counts and time spent preempted by other processes does
//     not), and x-talib-wall, the same with wall-clock time; ours-ms and talib-ms are the
//     medians. Medians, because this machine is shared: a preempted or cache-cold iteration
//     moves a mean, not a median.
func BenchmarkVsTalib(b *testing.B) {
	for _, k := range Cases() {
		b.Run(k.Name+"/ours", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = k.Ours(year)
			}
		})
		b.Run(k.Name+"/talib", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = k.Talib(year)
			}
		})
		b.Run(k.Name+"/ratio", func(b *testing.B) {
			var oursCPU, talibCPU, oursWall, talibWall []time.Duration
			measure := func(f func(Candles) [][]float64, cpu, wall *[]time.Duration) {
				c0, w0 := cpuTime(), time.Now()
				sink = f(year)
				*wall = append(*wall, time.Since(w0))
				*cpu = append(*cpu, cpuTime()-c0)
			}
			first := true
			for b.Loop() {
				if first {
					measure(k.Ours, &oursCPU, &oursWall)
					measure(k.Talib, &talibCPU, &talibWall)
				} else {
					measure(k.Talib, &talibCPU, &talibWall)
					measure(k.Ours, &oursCPU, &oursWall)
				}
				first = !first
			}
			wall := ratio(oursWall, talibWall)
			cpu := ratio(oursCPU, talibCPU)
			if median(talibCPU) == 0 { // no CPU clock here
				cpu = wall
			}
			b.ReportMetric(cpu, "x-talib")
			b.ReportMetric(wall, "x-talib-wall")
			b.ReportMetric(float64(median(oursCPU))/1e6, "ours-ms")
			b.ReportMetric(float64(median(talibCPU))/1e6, "talib-ms")
		})
	}
}

// ratio is median(a)/median(b).
func ratio(a, b []time.Duration) float64 {
	return float64(median(a)) / float64(median(b))
}

// median returns the median of ds (the mean of the middle two for an even count), 0 if empty.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
