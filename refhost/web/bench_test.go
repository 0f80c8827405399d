package web_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// seedTrades stores n fills of user (round trips of a buy and a sell 25 minutes later, at the
// demo market's prices over its 30 days) and scores them, as an import would.
func (h *host) seedTrades(tb testing.TB, user string, n int) {
	tb.Helper()
	ctx := context.Background()
	syms := h.market.Symbols()
	start, end := h.market.Start(), h.market.End().Add(-time.Hour)
	step := end.Sub(start) / time.Duration(n/2+1)
	trades := make([]coach.Trade, 0, n)
	candles := map[coach.Symbol][]coach.Candle{}
	for _, s := range syms {
		cs, err := h.market.Candles(ctx, s, coach.Minute5, start, h.market.End())
		if err != nil {
			tb.Fatal(err)
		}
		candles[s] = cs
	}
	price := func(s coach.Symbol, t time.Time) decimal.Decimal {
		cs := candles[s]
		i := int(t.Sub(start) / (5 * time.Minute))
		if i >= len(cs) {
			i = len(cs) - 1
		}
		return decimal.NewFromFloat(cs[max(i, 0)].Close).Round(2)
	}
	for i := 0; len(trades) < n; i++ {
		s := syms[i%len(syms)]
		at := start.Add(time.Duration(i) * step).Add(time.Hour)
		qty := decimal.New(int64(1+i%7), -2)
		for j, side := range []coach.Side{coach.Buy, coach.Sell} {
			ts := at.Add(time.Duration(j) * 25 * time.Minute)
			trades = append(trades, coach.Trade{ID: coach.NewID(), UserID: user, Broker: coach.BrokerCSV,
				ExtID: "bench-" + strconv.Itoa(i) + "-" + strconv.Itoa(j), Symbol: s, Side: side, Qty: qty, Price: price(s, ts),
				Fee: decimal.NewNullDecimal(decimal.New(1, -2)), FeeAsset: s.Quote(), TS: ts})
		}
	}
	for len(trades) > 0 {
		k := min(1000, len(trades))
		if _, err := h.in.Store.Trades().Upsert(ctx, user, trades[:k]); err != nil {
			tb.Fatal(err)
		}
		trades = trades[k:]
	}
	if _, err := h.svc.Scorer.ScoreUser(ctx, user, time.Time{}, time.Time{}); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkDashboard10k renders the dashboard of a user with 10,000 fills through the edge (the
// page's calls to core included: the series, the rule evaluation, the account metrics, the
// connections and the latest trades, at once), as a signed-in browser asks for it.
func BenchmarkDashboard10k(b *testing.B) {
	h := newHost(b)
	user := h.user("bench@example.com", "a long enough password")
	h.seedTrades(b, user, 10_000)
	br := h.browser()
	br.signIn("bench@example.com", "a long enough password")
	var p page
	for b.Loop() {
		p = br.get("/app").mustStatus(b, http.StatusOK)
	}
	b.ReportMetric(float64(len(p.body)), "html-bytes")
}
