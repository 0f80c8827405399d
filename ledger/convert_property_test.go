package ledger_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// TestConverterProperties checks, over random candles (gaps, two intervals, duplicates) and
// random times, that every rate found chains from the asset to the currency, uses only candles
// closed at or before the time and within MaxAge, takes each leg's close from the bar a brute
// force search picks, and that Apply agrees with the product of the legs.
func TestConverterProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	syms := []coach.Symbol{"BTC-USDT", "USDT-USD", "ETH-BTC", "EUR-USD", "EUR-USDT", "SOL-EUR", "USD-JPY"}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	found, bridged, refused := 0, 0, 0
	for round := 0; round < 30; round++ {
		var candles []coach.Candle
		for _, s := range syms {
			for i := 0; i < 40; i++ {
				iv := coach.Hour1
				if rng.IntN(4) == 0 {
					iv = coach.Hour4
				}
				open := start.Add(time.Duration(rng.IntN(72)) * time.Hour).Truncate(iv.Duration())
				p := 0.5 + rng.Float64()*100
				candles = append(candles, coach.Candle{Symbol: s, Interval: iv, OpenTime: open, Open: p, High: p, Low: p, Close: p, Volume: 1})
			}
		}
		maxAge := time.Duration(1+rng.IntN(6)) * time.Hour
		cur := []string{"USD", "EUR", "JPY"}[rng.IntN(3)]
		c := mustConverter(t, ledger.ConverterConfig{Currency: cur, Candles: coach.SeriesOf(candles), MaxAge: maxAge})
		for k := 0; k < 50; k++ {
			asset := []string{"BTC", "USDT", "ETH", "EUR", "SOL", "USD", "JPY", "XYZ"}[rng.IntN(8)]
			at := start.Add(time.Duration(rng.IntN(80*60)) * time.Minute)
			r := c.Rate(asset, at)
			if !r.OK() {
				refused++
				if r.Detail == "" || !r.Value.IsZero() || len(r.Legs) != 0 {
					t.Fatalf("unconvertible %s at %s without detail or with figures: %+v", asset, at, r)
				}
				continue
			}
			found++
			if len(r.Legs) == 2 {
				bridged++
			}
			from := asset
			for _, l := range r.Legs {
				if l.From != from {
					t.Fatalf("%s: legs do not chain: %+v", r.Path(), r.Legs)
				}
				from = l.To
				if l.CloseTime.After(at) || at.Sub(l.CloseTime) > maxAge {
					t.Fatalf("%s at %s: leg %s closed at %s (max age %s)", r.Path(), at, l.Symbol, l.CloseTime, maxAge)
				}
				want, ok := lastClosed(candles, l.Symbol, at)
				if !ok || want.CloseTime() != l.CloseTime || want.Interval != l.Interval || !l.Close.Equal(d(ftoa(want.Close))) {
					t.Fatalf("%s at %s: leg %+v, brute force picks %+v", r.Path(), at, l, want)
				}
			}
			if from != cur || len(r.Legs) > 2 {
				t.Fatalf("path %s does not end in %s in at most two legs", r.Path(), cur)
			}
			v, _ := r.Apply(d("1000"))
			if v.Sub(r.Value.Mul(d("1000"))).Abs().GreaterThan(d("0.000000001")) {
				t.Fatalf("%s: Apply(1000) = %s, rate %s", r.Path(), v, r.Value)
			}
		}
	}
	if found < 200 || bridged < 50 || refused < 50 {
		t.Errorf("the random cases exercise too little: %d found (%d bridged), %d refused", found, bridged, refused)
	}
}

// lastClosed is the brute-force choice: the bar of sym closed last at or before at, the shorter
// interval on a tie, the first given among duplicates.
func lastClosed(candles []coach.Candle, sym coach.Symbol, at time.Time) (coach.Candle, bool) {
	var best coach.Candle
	found := false
	for _, k := range candles {
		if k.Symbol != sym || k.CloseTime().After(at) {
			continue
		}
		if !found || k.CloseTime().After(best.CloseTime()) ||
			k.CloseTime().Equal(best.CloseTime()) && k.Interval.Duration() < best.Interval.Duration() {
			best, found = k, true
		}
	}
	return best, found
}

// ftoa writes f as the converter reads a close.
func ftoa(f float64) string { return decimal.NewFromFloat(f).String() }
