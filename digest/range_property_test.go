package digest_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// TestEveryValidTradeIsTakenByEveryConsumer is issue 12 point 9: one set of trade ranges,
// enforced by coach.Trade.Validate, that every consumer takes. Random trades are drawn from far
// wider ranges than valid (times up to year 9999, amounts of up to 38 digits and 30 places,
// biased towards the edges); those Validate accepts go through a store's Upsert, bias scoring,
// a simulation, the weekly digest with its HTML and SVG charts, and the digest payload's JSON
// round trip. None may fail.
func TestEveryValidTradeIsTakenByEveryConsumer(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(12, 9))
	rounds := 100
	if testing.Short() {
		rounds = 10
	}
	valid, refused := 0, 0
	for round := range rounds {
		trades, n := drawTrades(r, 12)
		valid += len(trades)
		refused += n
		if len(trades) == 0 {
			continue
		}
		t.Run(fmt.Sprint(round), func(t *testing.T) { throughEveryConsumer(t, trades) })
	}
	t.Logf("%d valid trades through every consumer; %d drawn trades refused by Validate", valid, refused)
	if valid < rounds {
		t.Fatalf("only %d valid trades drawn", valid)
	}
}

// drawTrades draws up to n trades of one user within a few days of a random time, and returns
// those Validate accepts with how many it refused.
func drawTrades(r *rand.Rand, n int) ([]coach.Trade, int) {
	from, to := coach.TradeTimes()
	var base time.Time
	switch r.IntN(5) {
	case 0:
		base = from
	case 1:
		base = to.Add(-10 * 24 * time.Hour)
	case 2: // beyond the range: what a hostile or broken input could hold
		base = time.Date(2100+r.IntN(7900), 1, 1, 0, 0, 0, 0, time.UTC)
	case 3:
		base = time.Date(2000+r.IntN(9), 6, 1, 0, 0, 0, 0, time.UTC)
	default:
		base = from.Add(time.Duration(r.Int64N(int64(to.Sub(from)))))
	}
	syms := []coach.Symbol{coach.MustParseSymbol("BTC-USDT"), coach.MustParseSymbol("ETH-USDT"), coach.MustParseSymbol("ETH-BTC")}
	var out []coach.Trade
	refused := 0
	for i := range n {
		sym := syms[r.IntN(len(syms))]
		side := coach.Buy
		if r.IntN(3) == 0 {
			side = coach.Sell
		}
		tr := coach.Trade{ID: coach.NewID(), UserID: testUser, Broker: "demo", ExtID: fmt.Sprintf("x-%d", i),
			Symbol: sym, Side: side, Qty: drawAmount(r), Price: drawAmount(r),
			TS: base.Add(time.Duration(r.Int64N(int64(7 * 24 * time.Hour)))).Truncate(time.Microsecond)}
		switch r.IntN(4) {
		case 0: // unknown fee
		case 1:
			tr.Fee, tr.FeeAsset = decimal.NewNullDecimal(drawAmount(r)), sym.Quote()
		case 2:
			tr.Fee, tr.FeeAsset = decimal.NewNullDecimal(drawAmount(r)), sym.Base()
		default:
			tr.Fee = decimal.NewNullDecimal(decimal.Zero)
		}
		if tr.Validate() != nil {
			refused++
			continue
		}
		out = append(out, tr)
	}
	return out, refused
}

// drawAmount draws a positive amount: half the time a plausible one (up to 7 digits before the
// point and 12 after), otherwise one at the edges of the valid ranges or far beyond them (up to
// 38 significant digits, exponents from -30 to 20).
func drawAmount(r *rand.Rand) decimal.Decimal {
	digits := func(n int) decimal.Decimal {
		d := decimal.New(1+r.Int64N(9), 0)
		for range n - 1 {
			d = d.Mul(decimal.New(10, 0)).Add(decimal.New(r.Int64N(10), 0))
		}
		return d
	}
	switch r.IntN(6) {
	case 0, 1, 2:
		before, after := r.IntN(8), r.IntN(13)
		return decimal.NewFromBigInt(digits(before+after+1).Coefficient(), -int32(after))
	case 3: // the most places
		n := 1 + r.IntN(coach.MaxTradePlaces)
		return decimal.NewFromBigInt(digits(n).Coefficient(), -int32(coach.MaxTradePlaces))
	case 4: // the most digits before the point
		n := 1 + r.IntN(coach.MaxTradeDigits)
		return decimal.NewFromBigInt(digits(n).Coefficient(), int32(coach.MaxTradeDigits-n))
	default:
		return decimal.NewFromBigInt(digits(1+r.IntN(38)).Coefficient(), int32(r.IntN(51))-30)
	}
}

// candlesAround makes hourly candles of the trades' symbols from two weeks before the first
// trade to a week after the last, at prices near the trades'.
func candlesAround(trades []coach.Trade) []coach.Candle {
	first, last := trades[0].TS, trades[0].TS
	price := map[coach.Symbol]float64{}
	for _, t := range trades {
		first, last = minTime(first, t.TS), maxTime(last, t.TS)
		price[t.Symbol] = t.Price.InexactFloat64()
	}
	var out []coach.Candle
	for sym, p := range price {
		for at := first.Add(-14 * 24 * time.Hour).Truncate(time.Hour); at.Before(last.Add(7 * 24 * time.Hour)); at = at.Add(time.Hour) {
			w := 1 + 0.01*math.Sin(float64(at.Unix())/7200)
			out = append(out, coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: at,
				Open: p * w, High: p * w * 1.01, Low: p * w * 0.99, Close: p * w * 1.001, Volume: 10 + w})
		}
	}
	return out
}

func throughEveryConsumer(t *testing.T, trades []coach.Trade) {
	store := memory.New()
	if _, err := store.Trades().Upsert(t.Context(), testUser, trades); err != nil {
		t.Fatalf("Upsert of valid trades: %v", err)
	}
	if _, err := store.Trades().List(t.Context(), testUser, storage.TradeFilter{Limit: storage.MaxLimit}); err != nil {
		t.Fatalf("List: %v", err)
	}
	candles := candlesAround(trades)
	res, err := bias.Score(trades, bias.SeriesOf(candles), bias.DefaultConfig())
	if err != nil {
		t.Fatalf("bias.Score of valid trades: %v", err)
	}
	first, last := trades[0].TS, trades[0].TS
	for _, tr := range trades {
		first, last = minTime(first, tr.TS), maxTime(last, tr.TS)
	}
	_, maxTS := coach.TradeTimes()
	for _, sc := range []sim.Scenario{{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO}, {Kind: sim.KindHoldInstead, Label: coach.LabelPanic, Until: sim.UntilWindowEnd}} {
		p := sim.Params{From: first.Truncate(time.Hour), To: minTime(last.Add(24*time.Hour), maxTS).Truncate(time.Hour).Add(time.Hour)}
		if _, err := sim.Run(sim.Input{Trades: trades, Tags: res.Tags, Candles: candles, Scenario: sc, Params: p}); err != nil {
			t.Fatalf("sim.Run %s of valid trades: %v", sc.Kind, err)
		}
	}
	user := coach.User{ID: testUser, Email: "u@example.com", CreatedAt: first}
	for _, at := range []time.Time{first, last} {
		p, err := digest.Build(digest.Input{User: user, Week: digest.WeekOf(at, time.UTC), Trades: trades, Tags: res.Tags})
		if err != nil {
			t.Fatalf("digest.Build of valid trades: %v", err)
		}
		if _, err := digest.RenderHTML(p); err != nil {
			t.Fatalf("digest.RenderHTML: %v", err)
		}
		for _, c := range digest.Charts() {
			if _, err := digest.RenderSVG(p, c); err != nil {
				t.Fatalf("digest.RenderSVG %s: %v", c, err)
			}
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("marshal the payload: %v", err)
		}
		back, err := digest.ParsePayload(b)
		if err != nil {
			t.Fatalf("the payload does not parse back: %v", err)
		}
		if diff := cmp.Diff(p, back, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
			t.Fatalf("payload after a JSON round trip (-built +parsed):\n%s", diff)
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
