package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// mixedQuoteFixture is a memory store (with its cache) holding a user of the given reporting
// currency ("" for the default, USD) who trades in three quote assets and one with no path to any
// currency, over the week from Monday 2026-03-09 (UTC):
//
//	BTC-USDT b1 buy 1 @ 60000 (Mon 10:00), s1 sell 1 @ 61000 fee 10 USDT (Tue 10:00): 990 USDT
//	ETH-BTC  b2 buy 10 @ 0.05 (Mon 11:00), s2 sell 10 @ 0.06 (Wed 11:00):             0.1 BTC
//	SOL-EUR  b3 buy 100 @ 100 (Mon 12:00), s3 sell 50 @ 110 (Thu 12:00):             500 EUR,
//	         and 50 SOL still open at the window end, marked at the SOL-EUR close of 120:
//	         unrealized 50 × (120 − 100) = 1000 EUR, worth 6000 EUR
//	FOO-XYZ  b4 buy 10 @ 1 (Mon 13:00), s4 sell 10 @ 2 (Fri 13:00):                  10 XYZ
//
// and hourly candles from Sunday to the next Monday of the pairs traded (BTC-USDT at 61000,
// ETH-BTC at 0.06, SOL-EUR at 120) and of USDT-USD at 0.999, BTC-USD at 62000 and EUR-USD at
// 1.25, in the store's candle cache, which the service reads through storage.CandleSource.
// Nothing joins XYZ to anything.
type mixedQuoteFixture struct {
	store *memory.Store
	svc   *sim.Service
	user  string
	req   sim.Request
}

func newMixedQuoteFixture(t *testing.T, currency string) *mixedQuoteFixture {
	t.Helper()
	ctx := context.Background()
	monday := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	clock := coach.NewManualClock(monday.Add(8 * 24 * time.Hour))
	fx := &mixedQuoteFixture{store: memory.New(memory.WithClock(clock)), user: coach.NewID()}
	t.Cleanup(func() { fx.store.Close() })
	if err := fx.store.Users().Create(ctx, coach.User{ID: fx.user, Email: fx.user + "@example.com", ReportingCurrency: currency,
		CreatedAt: monday.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	trade := func(ext string, at time.Duration, sym string, side coach.Side, qty, px, fee string) coach.Trade {
		s := coach.MustParseSymbol(sym)
		tr := coach.Trade{Broker: "demo", ExtID: ext, Symbol: s, Side: side, Qty: d(qty), Price: d(px),
			TS: monday.Add(at), Fee: decimal.NewNullDecimal(d(fee))}
		if fee != "0" {
			tr.FeeAsset = s.Quote()
		}
		return tr
	}
	const h, day = time.Hour, 24 * time.Hour
	trades := []coach.Trade{
		trade("b1", 10*h, "BTC-USDT", coach.Buy, "1", "60000", "0"),
		trade("s1", day+10*h, "BTC-USDT", coach.Sell, "1", "61000", "10"),
		trade("b2", 11*h, "ETH-BTC", coach.Buy, "10", "0.05", "0"),
		trade("s2", 2*day+11*h, "ETH-BTC", coach.Sell, "10", "0.06", "0"),
		trade("b3", 12*h, "SOL-EUR", coach.Buy, "100", "100", "0"),
		trade("s3", 3*day+12*h, "SOL-EUR", coach.Sell, "50", "110", "0"),
		trade("b4", 13*h, "FOO-XYZ", coach.Buy, "10", "1", "0"),
		trade("s4", 4*day+13*h, "FOO-XYZ", coach.Sell, "10", "2", "0"),
	}
	if _, err := fx.store.Trades().Upsert(ctx, fx.user, trades); err != nil {
		t.Fatal(err)
	}
	closes := map[coach.Symbol]float64{"BTC-USDT": 61000, "ETH-BTC": 0.06, "SOL-EUR": 120, "USDT-USD": 0.999, "BTC-USD": 62000, "EUR-USD": 1.25}
	var candles []coach.Candle
	for open := monday.Add(-day); open.Before(monday.Add(7 * day)); open = open.Add(h) {
		for sym, c := range closes {
			candles = append(candles, coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: open, Open: c, High: c, Low: c, Close: c, Volume: 1})
		}
	}
	if err := fx.store.Candles().Put(ctx, candles); err != nil {
		t.Fatal(err)
	}
	var err error
	fx.svc, err = sim.New(sim.ServiceConfig{Store: fx.store, Candles: storage.CandleSource(fx.store.Candles()), Cache: memory.NewCache(clock)})
	if err != nil {
		t.Fatal(err)
	}
	fx.req = sim.Request{Scenario: sim.Scenario{Kind: sim.KindNoRevenge}, Params: sim.Params{From: monday, To: monday.Add(7 * day)}}
	return fx
}

// bookFigures are a converted book as the test compares it.
type bookFigures struct {
	Currency                                     string
	Realized, Unrealized, OpenValue, PnL, Closes string
	Paths                                        map[string]string // ExtID of the close, or the open symbol, → path
	Unconvertible                                map[string]ledger.Reason
}

// figuresOf reads a book; ext maps trade ids to ExtIDs.
func figuresOf(r *ledger.CurrencyReport, ext map[string]string) bookFigures {
	f := bookFigures{Currency: r.Currency, Realized: r.Totals.RealizedPnL.String(), Unrealized: r.Totals.UnrealizedPnL.String(),
		OpenValue: r.Totals.OpenValue.String(), PnL: r.Totals.PnL.String(), Paths: map[string]string{}, Unconvertible: map[string]ledger.Reason{}}
	for _, x := range r.Realized {
		f.Paths[ext[x.TradeID]] = x.Rate.Path()
		f.Closes += ext[x.TradeID] + "=" + x.PnL.String() + " "
	}
	for _, o := range r.Open {
		f.Paths[string(o.Symbol)] = o.Rate.Path()
	}
	for _, u := range r.Unconvertible {
		f.Unconvertible[ext[u.TradeID]] = u.Reason
	}
	return f
}

// TestServiceSimulateInReportingCurrency checks that Simulate converts both books of a mixed-quote
// user into the user's reporting currency, in USD (the default) and in EUR, closes at their
// times and the open SOL at the window end, and lists the close in XYZ, which nothing joins to
// either, as unconvertible (no_path) instead of a number; the delta is then null. By hand:
//
//	USD: s1 990 × 0.999 = 989.01; s2 0.1 × 62000 = 6200; s3 500 × 1.25 = 625; realized 7814.01;
//	     open SOL unrealized 1000 × 1.25 = 1250, worth 6000 × 1.25 = 7500; P/L 9064.01
//	EUR: s1 990 × 0.999 ÷ 1.25 = 791.208 (USDT→USD→EUR); s2 0.1 × 62000 ÷ 1.25 = 4960
//	     (BTC→USD→EUR); s3 500; realized 6251.208; open SOL 1000, worth 6000; P/L 7251.208
//
// No fill is a revenge trade, so the counterfactual book is the actual one.
func TestServiceSimulateInReportingCurrency(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, currency string
		want           bookFigures
	}{
		{"default", "", bookFigures{Currency: "USD", Realized: "7814.01", Unrealized: "1250", OpenValue: "7500", PnL: "9064.01",
			Closes: "s1=989.01 s2=6200 s3=625 ",
			Paths:  map[string]string{"s1": "USDT→USD", "s2": "BTC→USD", "s3": "EUR→USD", "SOL-EUR": "EUR→USD"},
		}},
		{"EUR", "EUR", bookFigures{Currency: "EUR", Realized: "6251.208", Unrealized: "1000", OpenValue: "6000", PnL: "7251.208",
			Closes: "s1=791.208 s2=4960 s3=500 ",
			Paths:  map[string]string{"s1": "USDT→USD→EUR", "s2": "BTC→USD→EUR", "s3": "EUR", "SOL-EUR": "EUR"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := newMixedQuoteFixture(t, tc.currency)
			res, err := fx.svc.Simulate(context.Background(), fx.user, fx.req)
			if err != nil {
				t.Fatal(err)
			}
			c := res.InCurrency
			if c == nil {
				t.Fatal("no inCurrency")
			}
			ext := extIDs(t, fx.store, fx.user)
			tc.want.Unconvertible = map[string]ledger.Reason{"s4": ledger.NoPath}
			for name, book := range map[string]*ledger.CurrencyReport{"actual": c.Actual, "counterfactual": c.Counterfactual} {
				if diff := cmp.Diff(tc.want, figuresOf(book, ext)); diff != "" {
					t.Errorf("%s book (-want +got):\n%s", name, diff)
				}
			}
			if c.Currency != tc.want.Currency || c.Delta != nil {
				t.Errorf("currency %s, delta %v; want %s and no delta (s4 is unconvertible)", c.Currency, c.Delta, tc.want.Currency)
			}
		})
	}
}

// TestServiceCacheKeyCoversConversion checks that the cache key of a simulation covers what its
// InCurrency was converted with: the same request on the same data is a hit, with the same
// figures; a new conversion candle (the traded pairs' candles unchanged) or another reporting
// currency is a miss, with the new figures.
func TestServiceCacheKeyCoversConversion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newMixedQuoteFixture(t, "")
	first, err := fx.svc.Simulate(ctx, fx.user, fx.req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := fx.svc.Simulate(ctx, fx.user, fx.req)
	if err != nil || !again.Cached {
		t.Fatalf("same request: cached %v, err %v; want a hit", again.Cached, err)
	}
	// OpenIn.Quote is not in the JSON form the cache keeps.
	if diff := cmp.Diff(first.InCurrency, again.InCurrency, cmpopts.IgnoreFields(ledger.OpenIn{}, "Quote")); diff != "" {
		t.Fatalf("cached inCurrency (-fresh +cached):\n%s", diff)
	}

	// EUR-USD closes at 1.3 in the last hour: the open SOL is converted at the window end at 1.3,
	// 1000 × 1.3 = 1300 USD; the closes keep their rates.
	last := fx.req.To.Add(-time.Hour)
	if err := fx.store.Candles().Put(ctx, []coach.Candle{{Symbol: "EUR-USD", Interval: coach.Hour1, OpenTime: last,
		Open: 1.3, High: 1.3, Low: 1.3, Close: 1.3, Volume: 1}}); err != nil {
		t.Fatal(err)
	}
	moved, err := fx.svc.Simulate(ctx, fx.user, fx.req)
	if err != nil || moved.Cached {
		t.Fatalf("after a new EUR-USD candle: cached %v, err %v; want a fresh result", moved.Cached, err)
	}
	if moved.Data.CandlesSHA256 != first.Data.CandlesSHA256 {
		t.Fatal("the traded pairs' candles changed: the test no longer isolates the conversion candles")
	}
	if got := moved.InCurrency.Actual.Totals.UnrealizedPnL.String(); got != "1300" {
		t.Errorf("unrealized after the new candle: %s USD, want 1300", got)
	}

	// The user now reports in EUR.
	u, err := fx.store.Users().ByID(ctx, fx.user)
	if err != nil {
		t.Fatal(err)
	}
	u.ReportingCurrency = "EUR"
	if err := fx.store.Users().Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	eur, err := fx.svc.Simulate(ctx, fx.user, fx.req)
	if err != nil || eur.Cached || eur.InCurrency.Currency != "EUR" {
		t.Fatalf("after the switch to EUR: cached %v, currency %s, err %v; want a fresh result in EUR", eur.Cached, eur.InCurrency.Currency, err)
	}
}

// extIDs maps the user's stored trade ids to their ExtIDs.
func extIDs(t *testing.T, st storage.Store, user string) map[string]string {
	t.Helper()
	trades, err := st.Trades().List(context.Background(), user, storage.TradeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(trades))
	for _, tr := range trades {
		out[tr.ID] = tr.ExtID
	}
	return out
}
