package brokertest_test

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
)

// validations caches one Validation per seed for the tests of this file: each takes a good
// fraction of a second to build.
var validations sync.Map

func validation(t *testing.T, seed int64) *brokertest.Validation {
	t.Helper()
	if v, ok := validations.Load(seed); ok {
		return v.(*brokertest.Validation)
	}
	v, err := brokertest.NewValidation(seed, brokertest.ValidationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	validations.Store(seed, v)
	return v
}

func TestValidationIsDeterministic(t *testing.T) {
	a := validation(t, 3)
	b, err := brokertest.NewValidation(3, brokertest.ValidationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a.Persona(), b.Persona()); diff != "" {
		t.Errorf("persona differs for the same seed (-a +b):\n%s", diff)
	}
	if diff := cmp.Diff(a.Null(), b.Null()); diff != "" {
		t.Errorf("null trader differs for the same seed (-a +b):\n%s", diff)
	}
	if diff := cmp.Diff(a.Candles(coach.Minute1), b.Candles(coach.Minute1)); diff != "" {
		t.Errorf("candles differ for the same seed (-a +b):\n%s", diff)
	}
	c := validation(t, 4)
	if cmp.Equal(a.Candles(coach.Hour1), c.Candles(coach.Hour1)) || len(a.Persona().Orders) == len(c.Persona().Orders) && cmp.Equal(a.Persona(), c.Persona()) {
		t.Error("seeds 3 and 4 give the same history")
	}
}

func TestValidationOptions(t *testing.T) {
	for _, days := range []int{-1, brokertest.ValidationMinDays - 1, brokertest.ValidationMaxDays + 1} {
		if _, err := brokertest.NewValidation(1, brokertest.ValidationOptions{Days: days}); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("Days %d: err = %v, want EINVALID", days, err)
		}
	}
	if _, err := brokertest.NewValidation(1, brokertest.ValidationOptions{Start: time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC)}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("Start 1969: err = %v, want EINVALID", err)
	}
	v, err := brokertest.NewValidation(1, brokertest.ValidationOptions{Days: brokertest.ValidationMinDays, Start: time.Date(2026, 3, 3, 15, 4, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC); !v.Start().Equal(want) || !v.End().Equal(want.AddDate(0, 0, brokertest.ValidationMinDays)) {
		t.Errorf("Start, End = %v, %v; want the day truncated and Days later", v.Start(), v.End())
	}
	for sym, bars := range v.Candles(coach.Minute1) {
		if len(bars) != brokertest.ValidationMinDays*24*60 {
			t.Errorf("%s: %d minute bars, want %d", sym, len(bars), brokertest.ValidationMinDays*24*60)
		}
	}
	if got := v.Candles("7m"); len(got) != 0 {
		t.Errorf("unknown interval gave %d series", len(got))
	}
}

// TestValidationMarket checks the market's realism: valid bars, every regime, rallies and crashes
// that move, and intraday volume seasonality.
func TestValidationMarket(t *testing.T) {
	v := validation(t, 1)
	m1 := v.Candles(coach.Minute1)
	var byHour [24]float64
	var n [24]int
	for _, sym := range v.Symbols() {
		bars := m1[sym]
		for i, c := range bars {
			if err := c.Validate(); err != nil {
				t.Fatalf("%s bar %d: %v", sym, i, err)
			}
			if i > 0 && (c.Open != bars[i-1].Close || !c.OpenTime.Equal(bars[i-1].OpenTime.Add(time.Minute))) {
				t.Fatalf("%s bar %d does not continue the previous one", sym, i)
			}
		}
		// Normalize volume by the symbol's mean so that every symbol weighs the same.
		var mean float64
		for _, c := range bars {
			mean += c.Volume
		}
		mean /= float64(len(bars))
		for _, c := range bars {
			byHour[c.OpenTime.Hour()] += c.Volume / mean
			n[c.OpenTime.Hour()]++
		}
		regimes := v.Regimes()[sym]
		for d, r := range regimes {
			day := bars[d*24*60 : (d+1)*24*60]
			// The largest 3-hour rise (rally) or fall (crash) of the day's closes.
			var rise, fall float64
			for i := 180; i < len(day); i++ {
				lo, hi := math.Inf(1), 0.0
				for _, c := range day[i-180 : i] {
					lo, hi = min(lo, c.Close), max(hi, c.Close)
				}
				rise = max(rise, day[i].Close/lo-1)
				fall = max(fall, 1-day[i].Close/hi)
			}
			if r == "rally" && rise < 0.025 {
				t.Errorf("%s day %d: rally rose only %.3f in 3h", sym, d, rise)
			}
			if r == "crash" && fall < 0.03 {
				t.Errorf("%s day %d: crash fell only %.3f in 3h", sym, d, fall)
			}
		}
	}
	afternoon := (byHour[14]/float64(n[14]) + byHour[15]/float64(n[15]) + byHour[16]/float64(n[16])) / 3
	night := (byHour[2]/float64(n[2]) + byHour[3]/float64(n[3]) + byHour[4]/float64(n[4])) / 3
	if afternoon < 1.8*night {
		t.Errorf("volume at 14-17h UTC is %.2f × that of 2-5h; want intraday seasonality of at least 1.8", afternoon/night)
	}
	seen := map[string]bool{}
	for seed := int64(1); seed <= 3; seed++ {
		for _, rs := range validation(t, seed).Regimes() {
			for _, r := range rs {
				seen[r] = true
			}
		}
	}
	for _, r := range []string{"quiet", "normal", "chop", "rally", "crash"} {
		if !seen[r] {
			t.Errorf("no %s day in seeds 1-3", r)
		}
	}
	h1 := v.Candles(coach.Hour1)
	for _, sym := range v.Symbols() {
		if got, want := len(h1[sym]), len(m1[sym])/60; got != want {
			t.Errorf("%s: %d hourly bars, want %d", sym, got, want)
		}
	}
}

// TestValidationFills checks both traders' fills: valid, inside the bar they fill in, each
// belonging to exactly one order whose fills share time, symbol and side, and never selling
// more than is held.
func TestValidationFills(t *testing.T) {
	for seed := int64(1); seed <= 3; seed++ {
		v := validation(t, seed)
		m1 := v.Candles(coach.Minute1)
		for name, tr := range map[string]brokertest.ValidationTrader{"persona": v.Persona(), "null": v.Null()} {
			byExt := map[string]coach.Trade{}
			for i, f := range tr.Trades {
				if err := f.Validate(); err != nil {
					t.Fatalf("seed %d %s: %v", seed, name, err)
				}
				if _, dup := byExt[f.ExtID]; dup {
					t.Fatalf("seed %d %s: ExtID %s twice", seed, name, f.ExtID)
				}
				byExt[f.ExtID] = f
				if i > 0 && coach.CompareTrades(&tr.Trades[i-1], &tr.Trades[i]) > 0 {
					t.Fatalf("seed %d %s: fills out of trade order at %d", seed, name, i)
				}
				bar := m1[f.Symbol][int(f.TS.Sub(v.Start())/time.Minute)]
				if p := f.Price.InexactFloat64(); p < bar.Low || p > bar.High {
					t.Fatalf("seed %d %s: fill %s at %v outside its bar [%v, %v]", seed, name, f.ExtID, p, bar.Low, bar.High)
				}
			}
			orderOf := tr.OrderOf()
			if len(orderOf) != len(tr.Trades) {
				t.Errorf("seed %d %s: %d fills mapped to orders, want %d", seed, name, len(orderOf), len(tr.Trades))
			}
			split := 0
			held := map[coach.Symbol]float64{}
			for _, o := range tr.Orders {
				if len(o.ExtIDs) > 1 {
					split++
				}
				var qty float64
				for _, id := range o.ExtIDs {
					f := byExt[id]
					if !f.TS.Equal(o.TS) || f.Symbol != o.Symbol || f.Side != o.Side {
						t.Fatalf("seed %d %s: fill %s does not match its order %s", seed, name, id, o.Key)
					}
					qty += f.Qty.InexactFloat64()
				}
				if o.Side == coach.Buy {
					held[o.Symbol] += qty
				} else {
					held[o.Symbol] -= qty
				}
				if held[o.Symbol] < -1e-9 {
					t.Fatalf("seed %d %s: order %s sells more %s than held", seed, name, o.Key, o.Symbol)
				}
				if name == "null" && (len(o.Intents) != 0 || o.Reason != brokertest.ReasonNull) {
					t.Fatalf("seed %d: null order %s has intents %v, reason %s", seed, o.Key, o.Intents, o.Reason)
				}
			}
			if share := float64(split) / float64(len(tr.Orders)); share < 0.15 || share > 0.45 {
				t.Errorf("seed %d %s: %.2f of orders split into partial fills, want about 0.3", seed, name, share)
			}
		}
	}
}
