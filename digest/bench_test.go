package digest_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/rules"
)

// benchInput is one user's week of n fills over three symbols (round trips of one to three
// partial entries), a third of them tagged, two rules evaluated by package rules, two simulation
// outcomes and the previous week.
func benchInput(b *testing.B, n int) digest.Input {
	r := rand.New(rand.NewPCG(1, 2))
	syms := []coach.Symbol{"BTC-USDT", "ETH-USDT", "SOL-USDT"}
	labels := []string{coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge, coach.LabelDiscipline}
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := w10.Start(loc)
	step := 7 * 24 * time.Hour / time.Duration(n+1)
	trades := make([]coach.Trade, 0, n)
	var tags []coach.BiasTag
	held := map[coach.Symbol]decimal.Decimal{}
	for i := range n {
		sym := syms[r.IntN(len(syms))]
		side := coach.Buy
		qty := decimal.New(int64(1+r.IntN(9)), -1)
		if h := held[sym]; h.Sign() > 0 && r.IntN(2) == 0 {
			side, qty = coach.Sell, h
		}
		if side == coach.Buy {
			held[sym] = held[sym].Add(qty)
		} else {
			held[sym] = decimal.Zero
		}
		price := decimal.New(int64(9000+r.IntN(2000)), -2)
		id := fmt.Sprintf("t%05d", i)
		trades = append(trades, coach.Trade{ID: id, UserID: testUser, Broker: "demo", ExtID: id, Symbol: sym, Side: side,
			Qty: qty, Price: price, Fee: decimal.NewNullDecimal(qty.Mul(price).Shift(-3)), FeeAsset: "USDT",
			TS: start.Add(time.Duration(i+1) * step).UTC()})
		if r.IntN(3) == 0 {
			tags = append(tags, coach.BiasTag{ID: "g" + id, UserID: testUser, TradeID: id, Label: labels[r.IntN(len(labels))],
				Confidence: 0.8, Features: json.RawMessage(`{}`), CreatedAt: start})
		}
	}
	var rs []rules.Rule
	for i, raw := range []coach.Rule{
		{ID: "r1", Kind: rules.KindMaxTradesPerDay, Params: json.RawMessage(`{"n":100}`), Active: true},
		{ID: "r2", Kind: rules.KindCooldownAfterLoss, Params: json.RawMessage(`{"minutes":30}`), Active: true},
	} {
		p, err := rules.Parse(raw)
		if err != nil {
			b.Fatal(i, err)
		}
		rs = append(rs, p)
	}
	ev, err := rules.Evaluate(trades, nil, rs, loc)
	if err != nil {
		b.Fatal(err)
	}
	u := coach.User{ID: testUser, TimeZone: "Europe/Berlin"}
	prev, err := digest.Build(digest.Input{User: u, Week: w10.Prev()})
	if err != nil {
		b.Fatal(err)
	}
	return digest.Input{User: u, Week: w10, Trades: trades, Tags: tags, Rules: ev, Previous: &prev,
		Simulations: []digest.SimOutcome{{Scenario: "skipLabel", Label: coach.LabelFOMO, Delta: decimal.NewFromInt(12)},
			{Scenario: "holdInstead", Label: coach.LabelPanic, Delta: decimal.NewFromInt(-3)}}}
}

// BenchmarkBuild1kTrades builds one user's digest over 1,000 trades (target: ≤ 5 ms).
func BenchmarkBuild1kTrades(b *testing.B) {
	in := benchInput(b, 1000)
	if p, err := digest.Build(in); err != nil || p.TradeCount != 1000 || p.Closes == 0 {
		b.Fatalf("setup: %v, %d trades, %d closes", err, p.TradeCount, p.Closes)
	}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := digest.Build(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
	// On a shared machine wall time includes waiting for a core; CPU time (every thread of the
	// process, the garbage collector's included) is what a digest costs.
	if cpu := cpuTime() - cpu; cpu > 0 {
		b.ReportMetric(float64(cpu)/1e6/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkRenderHTML renders the report of that week.
func BenchmarkRenderHTML(b *testing.B) {
	p, err := digest.Build(benchInput(b, 1000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := digest.RenderHTML(p); err != nil {
			b.Fatal(err)
		}
	}
}
