package brokertest

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/tradecoach/coach"
)

// runNull runs the null trader: on each symbol, when flat, it buys after a waiting time drawn
// from an exponential distribution (nullEntriesPerDay a day), a log-normal notional, and sells
// the whole position after an exponential holding time. It looks at nothing but the clock, so
// every label on its orders is a false positive.
func runNull(seed int64, m *valMarket) ValidationTrader {
	book := &valBook{r: rand.New(rand.NewPCG(uint64(seed), 0x766e626f6f6b)), m: m, user: ValidationNullUser, prefix: "vn"}
	type plan struct {
		at       int
		asset    int
		buy      bool
		notional float64
	}
	// Each symbol's timeline is drawn from its own stream, then the orders are placed in time
	// order so that the fills interleave as a real account's would.
	var plans []plan
	day := float64(24 * 60)
	for a := range valAssets {
		r := rand.New(rand.NewPCG(uint64(seed), 0x766e0000+uint64(a)))
		t := float64(ValidationWarmupDays * 24 * 60)
		for {
			t += r.ExpFloat64() * day / nullEntriesPerDay
			hold := min(max(r.ExpFloat64()*float64(nullMeanHold/time.Minute), float64(nullMinHold/time.Minute)), float64(nullMaxHold/time.Minute))
			in, out := int(t), int(t+hold)
			if out >= m.minutes {
				break
			}
			notional := min(max(nullMedianNotional*math.Exp(nullSizeSigma*r.NormFloat64()), nullMinNotional), nullMaxNotional)
			plans = append(plans, plan{at: in, asset: a, buy: true, notional: notional}, plan{at: out, asset: a})
			t = float64(out + 1)
		}
	}
	// Stable by time, then by symbol: buys and sells of one symbol never share a minute.
	sortPlans := func(x, y plan) int {
		if x.at != y.at {
			return x.at - y.at
		}
		return x.asset - y.asset
	}
	slices.SortStableFunc(plans, sortPlans)
	held := make([]execution, len(valAssets))
	for _, pl := range plans {
		if pl.buy {
			ex, ok := book.place(pl.asset, pl.at, coach.Buy, qtyFor(pl.asset, pl.notional, m.m1[pl.asset][pl.at].Open), atMarket, 0, nil, ReasonNull)
			if ok {
				held[pl.asset] = ex
			}
			continue
		}
		if held[pl.asset].qty.Sign() > 0 {
			book.place(pl.asset, pl.at, coach.Sell, held[pl.asset].qty, atMarket, 0, nil, ReasonNull)
			held[pl.asset] = execution{}
		}
	}
	return book.finish()
}
