package bias_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// path sets bars[from:] to the closes given, each bar opening at the previous close and spanning
// open and close (no wicks).
func path(bars []coach.Candle, from int, closes ...float64) {
	for k, c := range closes {
		b := &bars[from+k]
		b.Open = bars[from+k-1].Close
		b.Close = c
		b.High, b.Low = max(b.Open, c), min(b.Open, c)
	}
}

// TestPanicIsASaleIntoTheFall (2026.3): a losing sale 4% under the 3-hour high is PANIC while the
// price is making new lows, and not once it has bounced off the fall's low, however deep the drop.
func TestPanicIsASaleIntoTheFall(t *testing.T) {
	t.Parallel()
	a := coach.MustParseSymbol("AAA-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	bars := flat(a, 100, start, 240)
	path(bars, 201, 96.5, 95.5, 96.5) // a fall from 100 to 95.5 by bar 202, a bounce to 96.5 in bar 203
	candles := bias.CandleSeries{a: bars}
	at := func(bar int) time.Time { return start.Add(time.Duration(bar)*time.Hour + 5*time.Minute) }
	for _, tc := range []struct {
		name  string
		bar   int // the sale fills in this bar, read at the bar before
		price float64
		panic bool
	}{
		{"into the fall", 203, 95.5, true},     // at the lowest close so far
		{"below the low", 203, 95.2, true},     // under every close since the high
		{"after the bounce", 204, 96.2, false}, // 0.7% over the fall's low, still 4% under the high
	} {
		var bk book
		bk.add(a, coach.Buy, at(190), 1, 100)
		id := bk.add(a, coach.Sell, at(tc.bar), 1, tc.price)
		res := mustScore(t, bk.trades, candles, bias.DefaultConfig())
		if got := contains(labelsOf(res, id), coach.LabelPanic); got != tc.panic {
			t.Errorf("%s: PANIC = %v, want %v (tags %+v, skips %+v)", tc.name, got, tc.panic, res.Tags, res.Skipped)
		}
	}
}

// TestFOMOIsABuyIntoARiseStillMakingHighs (2026.3): after a 4.5% run-up, a buy is FOMO while the
// last closed bar made the rally's highest close (or the fill is above it), and not once the rally
// has stalled, even within NearHigh of its high.
func TestFOMOIsABuyIntoARiseStillMakingHighs(t *testing.T) {
	t.Parallel()
	a := coach.MustParseSymbol("AAA-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	bars := flat(a, 100, start, 240)
	path(bars, 200, 102.3, 104.5, 104.2) // the rally's highest close in bar 201, a stall in bar 202
	candles := bias.CandleSeries{a: bars}
	at := func(bar int) time.Time { return start.Add(time.Duration(bar)*time.Hour + 5*time.Minute) }
	for _, tc := range []struct {
		name  string
		bar   int
		price float64
		fomo  bool
	}{
		{"at the new high", 202, 104.6, true},        // bar 201 made the highest close
		{"above the stalled high", 203, 104.7, true}, // bar 202 fell back, the fill is above 104.5
		{"in the stall", 203, 104.3, false},          // 0.2% under the high close, the rally no longer rising
	} {
		var bk book
		id := bk.add(a, coach.Buy, at(tc.bar), 1, tc.price)
		res := mustScore(t, bk.trades, candles, bias.DefaultConfig())
		if got := contains(labelsOf(res, id), coach.LabelFOMO); got != tc.fomo {
			t.Errorf("%s: FOMO = %v, want %v (tags %+v, skips %+v)", tc.name, got, tc.fomo, res.Tags, res.Skipped)
		}
	}
}

// TestHoldingLosersBackToEvenWaited (2026.3): a loser that went through the plan's stop and was
// sold back near even is HOLDING_LOSERS when it was held at least HoldRatio times the trader's
// median winner, not when the dip and the recovery took less.
func TestHoldingLosersBackToEvenWaited(t *testing.T) {
	t.Parallel()
	a := coach.MustParseSymbol("AAA-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return start.Add(time.Duration(n)*time.Hour + 10*time.Minute) }
	cfg := bias.DefaultConfig()
	cfg.Plan = bias.Plan{StopLossPct: 2.5}
	for _, tc := range []struct {
		name string
		hold int // hours
		want bool
	}{
		{"a brief dip", 5, false}, // 5h against a 4h median winner: not 1.5 times
		{"a wait for even", 7, true},
	} {
		bars := flat(a, 100, start, 300)
		bars[251].Low = 97.4 // through the stop (97.5) an hour after the loser's entry
		var bk book
		for i := range 6 { // six winners, held four hours each
			bk.add(a, coach.Buy, h(200+5*i), 1, 100)
			bk.add(a, coach.Sell, h(204+5*i), 1, 101)
		}
		bk.add(a, coach.Buy, h(250), 1, 100)
		id := bk.add(a, coach.Sell, h(250+tc.hold), 1, 99.6)
		res := mustScore(t, bk.trades, bias.CandleSeries{a: bars}, cfg)
		if got := contains(labelsOf(res, id), coach.LabelHoldingLosers); got != tc.want {
			t.Errorf("%s: HOLDING_LOSERS = %v, want %v (tags %+v)", tc.name, got, tc.want, res.Tags)
		}
	}
}

// TestOvertradingIsASpreeInTime (2026.3): eight orders spread over a day, one every two hours, are
// no spree for a trader of one order a day; the same eight within an hour and a half are, from
// the fifth.
func TestOvertradingIsASpreeInTime(t *testing.T) {
	t.Parallel()
	a := coach.MustParseSymbol("AAA-USD")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	candles := bias.CandleSeries{a: flat(a, 100, start, 24*20)}
	for _, tc := range []struct {
		name string
		gap  time.Duration
		from int // the first order tagged, -1 none
	}{
		{"spread over the day", 2 * time.Hour, -1},
		{"a spree", 10 * time.Minute, 4},
	} {
		var bk book
		for d := 9; d < 15; d++ {
			bk.add(a, coach.Buy, start.Add(time.Duration(d)*24*time.Hour+9*time.Hour), 1, 100)
		}
		day := start.Add(15*24*time.Hour + 6*time.Hour)
		var ids []string
		for i := range 8 {
			ids = append(ids, bk.add(a, coach.Buy, day.Add(time.Duration(i)*tc.gap), 1, 100))
		}
		res := mustScore(t, bk.trades, candles, bias.DefaultConfig())
		for i, id := range ids {
			if got, want := contains(labelsOf(res, id), coach.LabelOvertrading), tc.from >= 0 && i >= tc.from; got != want {
				t.Errorf("%s: order %d OVERTRADING = %v, want %v", tc.name, i+1, got, want)
			}
		}
	}
}
