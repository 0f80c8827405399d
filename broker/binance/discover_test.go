package binance_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// discoveryFake lists BTC and ETH pairs with history, a delisted LUNA-USDT with history, and
// pairs without trades: SOL-USDT (SOL sold down to zero), BTC-EUR and BTC-TRY (TRY is no quote
// asset). The account holds BTC, ETH (locked only), LUNA and a zero balance of SOL.
func discoveryFake(c *brokertest.BinanceConfig) {
	c.Symbols = []coach.Symbol{"BTC-USDT", "ETH-USDT", "ETH-BTC", "LUNA-USDT"}
	c.Listed = []coach.Symbol{"SOL-USDT", "BTC-EUR", "BTC-TRY"}
	c.Delisted = []coach.Symbol{"LUNA-USDT"}
}

func setDiscoveryBalances(f *brokertest.Binance) {
	d := decimal.RequireFromString
	f.SetBalances(map[string]brokertest.BinanceBalance{
		"BTC":  {Free: d("0.5")},
		"ETH":  {Free: d("0"), Locked: d("2.1")},
		"LUNA": {Free: d("1234.5")},
		"SOL":  {Free: d("0.00000000"), Locked: d("0")},
	})
}

// TestDiscoverSymbols: the held assets paired with the quote assets, sorted; a zero balance, a
// delisted pair and a pair in another quote asset are left out; discovery costs 40 weight.
func TestDiscoverSymbols(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		quotes []string
		want   []coach.Symbol
	}{
		{"default quotes", nil, []coach.Symbol{"BTC-EUR", "BTC-USDT", "ETH-BTC", "ETH-USDT"}},
		{"USDT only", []string{"USDT"}, []coach.Symbol{"BTC-USDT", "ETH-USDT"}},
		{"TRY", []string{"TRY", "SOL"}, []coach.Symbol{"BTC-TRY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 200, discoveryFake, func(c *binance.Config) { c.Symbols, c.QuoteAssets = nil, tc.quotes })
			setDiscoveryBalances(h.fake)
			got, err := h.client.DiscoverSymbols(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("discovered (-want +got):\n%s", diff)
			}
			if h.fake.RequestsTo("/api/v3/account") != 1 || h.fake.RequestsTo("/api/v3/exchangeInfo") != 1 {
				t.Errorf("%d account and %d exchangeInfo requests, want 1 each",
					h.fake.RequestsTo("/api/v3/account"), h.fake.RequestsTo("/api/v3/exchangeInfo"))
			}
			if w := h.client.UsedWeight(); w != 40 {
				t.Errorf("used weight %d, want 40", w)
			}
		})
	}
}

// tradesOf returns the trades of the fake in syms, ordered as collect orders them.
func tradesOf(h *harness, syms ...coach.Symbol) []coach.Trade {
	var out []coach.Trade
	for _, tr := range h.fake.Trades() {
		if slices.Contains(syms, tr.Symbol) {
			out = append(out, tr)
		}
	}
	sortTrades(out)
	return out
}

// TestFillsDiscovers: a request without symbols imports the discovered pairs' 30 days; a
// delisted pair with history imports when named or configured; Config.Discover imports both;
// pairs with a checkpoint keep importing after their asset is sold, unless Binance no longer
// lists them.
func TestFillsDiscovers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, 3000, discoveryFake, func(c *binance.Config) {
		c.Symbols, c.QuoteAssets, c.PageSize = nil, []string{"USDT"}, 200
	})
	setDiscoveryBalances(h.fake)
	for _, tc := range []struct {
		name   string
		client func(t *testing.T) *binance.Client
		req    broker.FillsRequest
		want   []coach.Symbol
	}{
		{"discovered", nil, broker.FillsRequest{}, []coach.Symbol{"BTC-USDT", "ETH-USDT"}},
		{"delisted named", nil, broker.FillsRequest{Symbols: []coach.Symbol{"LUNA-USDT"}}, []coach.Symbol{"LUNA-USDT"}},
		{"delisted configured", func(t *testing.T) *binance.Client {
			return h.newClient(t, func(c *binance.Config) { c.Symbols = []coach.Symbol{"LUNA-USDT"} })
		}, broker.FillsRequest{}, []coach.Symbol{"LUNA-USDT"}},
		{"discovered and configured", func(t *testing.T) *binance.Client {
			return h.newClient(t, func(c *binance.Config) {
				c.Symbols, c.Discover, c.QuoteAssets = []coach.Symbol{"LUNA-USDT"}, true, []string{"USDT"}
			})
		}, broker.FillsRequest{}, []coach.Symbol{"BTC-USDT", "ETH-USDT", "LUNA-USDT"}},
		{"checkpointed", nil, broker.FillsRequest{Checkpoints: map[string]string{"ETH-BTC": "id:0:", "XRP-USDT": "id:0:", "junk": "x"}},
			[]coach.Symbol{"BTC-USDT", "ETH-BTC", "ETH-USDT"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := h.client
			if tc.client != nil {
				c = tc.client(t)
			}
			req := tc.req
			req.From, req.To = h.from, h.to
			var got []coach.Trade
			var scopes []string
			err := c.Fills(ctx, req, func(p broker.FillPage) error {
				if !slices.Contains(scopes, p.Scope) {
					scopes = append(scopes, p.Scope)
				}
				got = append(got, p.Trades...)
				return nil
			})
			if err != nil {
				t.Fatalf("Fills: %v", err)
			}
			sortTrades(got)
			want := tradesOf(h, tc.want...)
			if len(want) < 100 {
				t.Fatalf("the fake has only %d trades in %v", len(want), tc.want)
			}
			if diff := cmp.Diff(sortedExtIDs(want), sortedExtIDs(got)); diff != "" {
				t.Errorf("trades (-want +got):\n%s", diff)
			}
			if !slices.IsSorted(scopes) {
				t.Errorf("scopes in order %v, want sorted", scopes)
			}
		})
	}
}

// newClient returns another client of h's fake, clock and waits.
func (h *harness) newClient(t *testing.T, mutate func(*binance.Config)) *binance.Client {
	t.Helper()
	cfg := binance.Config{BaseURL: h.fake.URL(), APIKey: h.fake.Config().APIKey, SecretKey: seal.NewToken(h.fake.Config().SecretKey),
		Clock: h.clock, Sleep: h.waits.sleep}
	mutate(&cfg)
	c, err := binance.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestImportDiscovered runs the importer over a connection that names no symbols: the 30 days of
// the discovered pairs are stored, with a rate limit in the middle, and a re-import adds nothing.
func TestImportDiscovered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, 3000, discoveryFake, func(c *binance.Config) { c.Symbols, c.PageSize = nil, 250 })
	setDiscoveryBalances(h.fake)
	h.fake.RateLimitAfter(1, 2, "3")
	store := memory.New(memory.WithClock(h.clock))
	t.Cleanup(func() { store.Close() })
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: coach.NewID(), Broker: coach.BrokerBinance,
		Status: coach.ConnectionActive, AccessEnc: []byte("sealed-api-secret"), CreatedAt: h.from}
	if err := store.Connections().Create(ctx, conn); err != nil {
		t.Fatal(err)
	}
	imp := mustImporter(t, broker.ImporterConfig{Store: store, Clock: h.clock, Window: 31 * 24 * time.Hour})
	sum, err := imp.Import(ctx, conn.UserID, conn, h.client)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	want := tradesOf(h, "BTC-EUR", "BTC-USDT", "ETH-BTC", "ETH-USDT")
	if sum.Inserted != len(want) || sum.Rejected != 0 {
		t.Errorf("import summary %+v, want %d inserted", sum, len(want))
	}
	stored, err := store.Trades().List(ctx, conn.UserID, storage.TradeFilter{Limit: storage.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sortedExtIDs(want), sortedExtIDs(stored)); diff != "" {
		t.Fatalf("stored trades (-want +stored):\n%s", diff)
	}
	if ws := h.waits.all(); len(ws) < 2 || ws[0] != 3*time.Second {
		t.Errorf("waits %v: the rate limit on discovery was not backed off", ws)
	}
	cps, err := store.Checkpoints().List(ctx, conn.UserID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != 3 { // BTC-EUR has no trades, so no checkpoint
		t.Errorf("checkpoints %v, want one per discovered pair with trades", cps)
	}
	// ETH sold down to zero: discovery no longer sees ETH-USDT, but its checkpoint keeps it
	// imported (rewound here so that its trades come again, as duplicates).
	h.fake.SetBalances(map[string]brokertest.BinanceBalance{"ETH": {}})
	if err := store.Checkpoints().Put(ctx, conn.UserID, conn.ID, "ETH-USDT", "id:0:"); err != nil {
		t.Fatal(err)
	}
	again, err := imp.Import(ctx, conn.UserID, conn, h.client)
	if n := len(tradesOf(h, "ETH-USDT")); err != nil || again.Inserted != 0 || again.Duplicates != n {
		t.Errorf("re-import: %+v, %v; want nothing new and %d duplicates", again, err, n)
	}
}

// TestDiscoveryErrors: a rejected key on /api/v3/account is EUNAUTHORIZED before exchangeInfo is
// asked; no key, or an account with nothing to import, is EINVALID; a malformed account is
// EUNAVAILABLE; no trade is asked for.
func TestDiscoveryErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(*binance.Config)
		setup  func(*brokertest.Binance)
		code   coach.Code
		listed int // exchangeInfo requests
	}{
		{"fault -2015", nil, func(f *brokertest.Binance) {
			f.FailNext(1, 401, `{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}`)
		}, coach.EUNAUTHORIZED, 0},
		{"wrong key", func(c *binance.Config) { c.APIKey = "not-the-key" }, nil, coach.EUNAUTHORIZED, 0},
		{"no key", func(c *binance.Config) { c.APIKey, c.SecretKey = "", seal.Token{} }, nil, coach.EINVALID, 0},
		{"nothing held", nil, func(f *brokertest.Binance) {
			f.SetBalances(map[string]brokertest.BinanceBalance{"BTC": {}, "ETH": {}, "BNB": {}, "USDT": {}})
		}, coach.EINVALID, 1},
		{"malformed account", nil, func(f *brokertest.Binance) {
			f.FailNext(1, 200, `{"balances":[{"asset":"BTC","free":"x","locked":"0"}]}`)
		}, coach.EUNAVAILABLE, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 300, nil, func(c *binance.Config) {
				c.Symbols = nil
				if tc.mutate != nil {
					tc.mutate(c)
				}
			})
			if tc.setup != nil {
				tc.setup(h.fake)
			}
			err := h.client.Fills(context.Background(), broker.FillsRequest{From: h.from, To: h.to}, func(broker.FillPage) error { return nil })
			if coach.ErrorCode(err) != tc.code {
				t.Fatalf("Fills: %v, want %q", err, tc.code)
			}
			if h.fake.RequestsTo("/api/v3/exchangeInfo") != tc.listed || h.fake.RequestsTo("/api/v3/myTrades") != 0 {
				t.Errorf("after a failed discovery: %d exchangeInfo, %d myTrades requests",
					h.fake.RequestsTo("/api/v3/exchangeInfo"), h.fake.RequestsTo("/api/v3/myTrades"))
			}
		})
	}
}
