package sim_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

// TestHashCandlesIsTheSnapshotHash checks that a simulation's Data.CandlesSHA256 names the same
// candles as a coach.CandleSnapshot (the snapshot bias tags record): for candles of one interval
// per symbol — shuffled, repeated, with gaps, invalid and conflicting bars — HashCandles is the
// snapshot's SHA256, so a stored snapshot can stand for a simulation's candles.
func TestHashCandlesIsTheSnapshotHash(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 13))
	for seed := range 20 {
		var cs []coach.Candle
		for _, sym := range []coach.Symbol{"BTC-USDT", "ETH-BTC", "SOL-EUR"}[:1+seed%3] {
			p := 100.0
			for i := range 50 + r.IntN(100) {
				if r.IntN(10) == 0 {
					continue // a gap
				}
				o := p
				p *= 1 + (r.Float64()-0.5)/20
				cs = append(cs, coach.Candle{Symbol: sym, Interval: coach.Minute5, OpenTime: t0.Add(time.Duration(i) * 5 * time.Minute),
					Open: o, High: max(o, p) + r.Float64(), Low: min(o, p) * 0.99, Close: p, Volume: r.Float64() * 100})
			}
		}
		if len(cs) > 2 {
			bad := cs[1]
			bad.Low = 0
			conflict := cs[2]
			conflict.Volume++
			cs = append(cs, cs[0], bad, conflict)
		}
		r.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
		snap := coach.NewCandleSnapshot(slices.Clone(cs))
		if got := sim.HashCandles(cs); got != snap.SHA256 {
			t.Fatalf("seed %d: HashCandles %s, snapshot %s", seed, got, snap.SHA256)
		}
	}
}
