package indicator_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzStreamingMatchesBatch feeds every indicator arbitrary float64 bit patterns — NaN, ±Inf,
// ±0, subnormals, ±1e308 whose sums overflow — and checks that nothing panics, that outputs
// have the input's length, that batch, a fresh stream and a reused stream agree bit for bit,
// that ok is false exactly when the value is NaN, that the warm-up is NaN and that gaps give NaN.
func FuzzStreamingMatchesBatch(f *testing.F) {
	f.Add(floatBytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), uint8(2))
	f.Add(floatBytes(100, 100, 100, 100, 100, 100), uint8(3))
	f.Add(floatBytes(1, math.NaN(), 2, math.Inf(1), 3, math.Inf(-1), 4, 0, -1, 5), uint8(1))
	f.Add(floatBytes(1e308, -1e308, 1e308, 1e308, 1e308, -1e308, 1, 2, 3, 4, 5, 6), uint8(2))
	f.Add(floatBytes(5e-324, 1e-310, 0, math.Copysign(0, -1), 1e-300, 2, 1e300, 3), uint8(4))
	f.Add(floatBytes(60000.01, 60000.02, 60000.01, 1e12, 60000.03, 60000.01, 60000.02, 60000.02), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, period uint8) {
		xs := make([]float64, len(data)/8)
		for i := range xs {
			xs[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		// Four fields from one series, each rotated, so that every field sees every value.
		b := bars{close: xs, high: rotate(xs, 1), low: rotate(xs, 2), volume: rotate(xs, 3)}
		n := 1 + int(period)%40
		for _, sp := range specs(n) {
			batch := sp.batch(b)
			for k, out := range batch {
				if len(out) != len(xs) {
					t.Fatalf("%s output %d: %d values for %d inputs", sp.name, k, len(out), len(xs))
				}
				for i, v := range out {
					if !math.IsNaN(v) && (i < sp.lookback || !sp.valid(b, i)) {
						t.Fatalf("%s output %d: value %v at %d, in the warm-up (%d) or a gap", sp.name, k, v, i, sp.lookback)
					}
				}
			}
			s := sp.stream()
			streamed, okAgrees := s.run(b, len(batch))
			if !sameBits(batch, streamed) {
				t.Fatalf("%s: batch and stream differ (-batch +stream):\n%s", sp.name, cmp.Diff(batch, streamed, bitwise))
			}
			if !okAgrees {
				t.Fatalf("%s: ok is not exactly !NaN(value)", sp.name)
			}
			s.reset()
			if again, _ := s.run(b, len(batch)); !sameBits(batch, again) {
				t.Fatalf("%s: a stream reused after Reset differs from a fresh one", sp.name)
			}
		}
	})
}

// floatBytes encodes xs as the fuzz target decodes them.
func floatBytes(xs ...float64) []byte {
	out := make([]byte, 0, 8*len(xs))
	for _, x := range xs {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(x))
	}
	return out
}

// rotate returns xs rotated left by k.
func rotate(xs []float64, k int) []float64 {
	if len(xs) == 0 {
		return nil
	}
	k %= len(xs)
	return append(append([]float64(nil), xs[k:]...), xs[:k]...)
}
