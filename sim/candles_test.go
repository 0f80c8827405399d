package sim_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

func TestHashCandles(t *testing.T) {
	t.Parallel()
	eth := coach.Symbol("ETH-USDT")
	base := append(closes(100, 101, 102, 103), hourly(eth, bar{10, 11, 9, 10}, bar{10, 12, 10, 11})...)
	want := sim.HashCandles(base)
	if len(want) != 64 {
		t.Fatalf("hash %q: want 64 hex digits", want)
	}
	same := map[string][]coach.Candle{
		"reversed": func() []coach.Candle { c := slices.Clone(base); slices.Reverse(c); return c }(),
		"repeated": append(slices.Clone(base), base[1], base[4]),
		"in another zone": func() []coach.Candle {
			c := slices.Clone(base)
			c[2].OpenTime = c[2].OpenTime.In(time.FixedZone("X", -5*3600))
			return c
		}(),
		"with invalid bars": append(slices.Clone(base),
			coach.Candle{Symbol: btc, Interval: coach.Hour1, OpenTime: t0.Add(9 * time.Hour), Open: 1, High: 0.5, Low: 1, Close: 1},
			coach.Candle{Symbol: btc, Interval: coach.Hour1, OpenTime: t0.Add(10 * time.Hour), Open: math.NaN(), High: 1, Low: 1, Close: 1},
			coach.Candle{Symbol: btc, Interval: coach.Hour1, OpenTime: t0.Add(11*time.Hour + time.Minute), Open: 1, High: 1, Low: 1, Close: 1},
			coach.Candle{Symbol: btc, Interval: coach.Hour1, OpenTime: t0.Add(12 * time.Hour), Open: 1, High: math.Inf(1), Low: 1, Close: 1}),
		"with bars of a wider interval": append(slices.Clone(base),
			coach.Candle{Symbol: btc, Interval: coach.Day1, OpenTime: t0, Open: 100, High: 103, Low: 100, Close: 103}),
		"with a bar given twice with different values": append(slices.Clone(base),
			coach.Candle{Symbol: btc, Interval: coach.Hour1, OpenTime: t0.Add(20 * time.Hour), Open: 1, High: 1, Low: 1, Close: 1},
			coach.Candle{Symbol: btc, Interval: coach.Hour1, OpenTime: t0.Add(20 * time.Hour), Open: 2, High: 2, Low: 2, Close: 2}),
	}
	for name, cs := range same {
		if got := sim.HashCandles(cs); got != want {
			t.Errorf("%s: hash %s, want %s", name, got, want)
		}
	}
	changed := slices.Clone(base)
	changed[1].Volume++
	moved := slices.Clone(base)
	moved[3].OpenTime = moved[3].OpenTime.Add(time.Hour) // a gap instead of a run
	for name, cs := range map[string][]coach.Candle{"a volume": changed, "a time": moved, "one bar fewer": base[1:]} {
		if sim.HashCandles(cs) == want {
			t.Errorf("%s changed: same hash", name)
		}
	}
}

func TestRunUsesCleanCandles(t *testing.T) {
	t.Parallel()
	candles := append(closes(100, 110, 120, 130, 140),
		coach.Candle{Symbol: btc, Interval: coach.Hour1, OpenTime: t0.Add(time.Hour), Open: 999, High: 999, Low: 999, Close: 999}, // conflicts
		coach.Candle{Symbol: btc, Interval: coach.Hour1, OpenTime: t0.Add(2 * time.Hour), Open: 1, High: 0.5, Low: 1, Close: 1},   // invalid
		coach.Candle{Symbol: "DOGE-USDT", Interval: coach.Hour1, OpenTime: t0, Open: 1, High: 1, Low: 1, Close: 1},                // not traded
	)
	in := sim.Input{
		Trades:   trades(buy("b1", "1", "100", hm(0, 30))),
		Candles:  candles,
		Scenario: sim.Scenario{Kind: sim.KindNoRevenge},
		Params:   window(4), // the bar from 4h closes after the window
	}
	res := mustRun(t, in)
	// Used: bars 0, 2 and 3 (bar 1 was given twice with different values, bar 4 closes late).
	if res.Data.Candles != 3 || res.Data.Dropped != 3 {
		t.Errorf("candles = %d used, %d dropped; want 3 and 3 (two conflicting, one invalid)", res.Data.Candles, res.Data.Dropped)
	}
	want := sim.HashCandles([]coach.Candle{candles[0], candles[2], candles[3]})
	if res.Data.CandlesSHA256 != want {
		t.Errorf("hash %s, want that of the bars used, %s", res.Data.CandlesSHA256, want)
	}
	if m := res.Data.Marks; len(m) != 1 || !m[0].Price.Equal(d("130")) || !m[0].At.Equal(t0.Add(4*time.Hour)) {
		t.Errorf("marks %+v, want BTC at the 130 close of 4h", m)
	}
}
