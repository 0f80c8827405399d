package binance_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/seal"
)

// waits records the waits a client asked for and advances the shared clock by them instead of
// sleeping, so that the fake sees the time pass.
type waits struct {
	mu    sync.Mutex
	clock *coach.ManualClock
	ds    []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.ds = append(w.ds, d)
	w.mu.Unlock()
	w.clock.Advance(d)
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.ds)
}

type harness struct {
	fake   *brokertest.Binance
	client *binance.Client
	waits  *waits
	clock  *coach.ManualClock
	from   time.Time
	to     time.Time
	syms   []coach.Symbol
}

// newHarness starts a fake Binance with n trades over 30 days and a client for its key.
func newHarness(t *testing.T, n int, fakeCfg func(*brokertest.BinanceConfig), mutate func(*binance.Config)) *harness {
	t.Helper()
	clock := coach.NewManualClock(time.Date(2024, 2, 1, 0, 0, 7, 0, time.UTC))
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	fc := brokertest.BinanceConfig{Clock: clock, FillsFrom: from, FillsTo: from.Add(30 * 24 * time.Hour), Seed: 11}
	if fakeCfg != nil {
		fakeCfg(&fc)
	}
	fake := brokertest.NewBinance(fc)
	t.Cleanup(fake.Close)
	fake.AddFills(n)
	h := &harness{fake: fake, waits: &waits{clock: clock}, clock: clock, from: from, to: from.Add(30 * 24 * time.Hour),
		syms: fake.Config().Symbols}
	cfg := binance.Config{BaseURL: fake.URL(), APIKey: fake.Config().APIKey, SecretKey: seal.NewToken(fake.Config().SecretKey),
		Symbols: h.syms, Clock: clock, Sleep: h.waits.sleep}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := binance.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	return h
}

// collect runs Fills, checking that each scope's pages are oldest first with growing
// checkpoints, and returns the trades ordered by (TS, ExtID) and the last checkpoint per scope.
func (h *harness) collect(t *testing.T, req broker.FillsRequest) ([]coach.Trade, map[string]string, error) {
	t.Helper()
	var all []coach.Trade
	last := map[string]coach.Trade{}
	cps := map[string]string{}
	err := h.client.Fills(context.Background(), req, func(p broker.FillPage) error {
		for _, tr := range p.Trades {
			if err := tr.Validate(); err != nil {
				t.Fatalf("invalid trade: %v", err)
			}
			if string(tr.Symbol) != p.Scope {
				t.Fatalf("trade of %s in scope %s", tr.Symbol, p.Scope)
			}
			if prev, ok := last[p.Scope]; ok && tr.TS.Before(prev.TS) {
				t.Fatalf("%s: trade at %s after one at %s", p.Scope, tr.TS, prev.TS)
			}
			last[p.Scope] = tr
		}
		if prev := cps[p.Scope]; prev != "" && (checkpointID(t, p.Checkpoint) < checkpointID(t, prev) || p.Checkpoint == prev) {
			t.Fatalf("%s: checkpoint %s after %s", p.Scope, p.Checkpoint, prev)
		}
		cps[p.Scope] = p.Checkpoint
		all = append(all, p.Trades...)
		return nil
	})
	sortTrades(all)
	return all, cps, err
}

// sortTrades orders trades by (TS, ExtID), as the fake lists them.
func sortTrades(ts []coach.Trade) {
	slices.SortFunc(ts, func(a, b coach.Trade) int {
		if c := a.TS.Compare(b.TS); c != 0 {
			return c
		}
		return strings.Compare(a.ExtID, b.ExtID)
	})
}

func checkpointID(t *testing.T, cp string) int64 {
	num, _, _ := strings.Cut(strings.TrimPrefix(cp, "id:"), ":")
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		t.Fatalf("checkpoint %q", cp)
	}
	return id
}

// TestFillsThirtyDays imports 30 days of 10,500 trades over four symbols in many pages, with the
// server's clock 10 s ahead (the client must sync once) and a rate limit in the middle: every
// trade arrives exactly once and the waits follow Retry-After.
func TestFillsThirtyDays(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 10_500, nil, nil)
	h.fake.SetSkew(10 * time.Second)
	h.fake.RateLimitAfter(12, 2, "1")
	got, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to})
	if err != nil {
		t.Fatalf("Fills: %v", err)
	}
	want := h.fake.Trades()
	if len(want) < 10_500 {
		t.Fatalf("fake made %d trades", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trades (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, time.Second}, h.waits.all()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if n := h.fake.RequestsTo("/api/v3/time"); n != 1 {
		t.Errorf("%d clock syncs, want 1", n)
	}
	if n := h.fake.RequestsTo("/api/v3/myTrades"); n < 12 {
		t.Errorf("%d myTrades requests, want many pages", n)
	}
}

// TestFillsWeightSlowdown: with a small weight limit the client waits for the next minute before
// Binance would refuse, so an import that would pass the limit never sees a 429 (MaxAttempts 1
// would turn one into a failure).
func TestFillsWeightSlowdown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 6000, func(c *brokertest.BinanceConfig) { c.WeightLimit = 200 },
		func(c *binance.Config) { c.WeightLimit, c.MaxAttempts, c.PageSize = 200, 1, 100 })
	got, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to})
	if err != nil {
		t.Fatalf("Fills: %v", err)
	}
	if len(got) != len(h.fake.Trades()) {
		t.Errorf("%d trades, want %d", len(got), len(h.fake.Trades()))
	}
	ws := h.waits.all()
	if len(ws) == 0 {
		t.Fatal("no slowdown")
	}
	for _, d := range ws {
		if d <= 0 || d > time.Minute {
			t.Errorf("wait %s, want up to the next minute", d)
		}
	}
	if w := h.client.UsedWeight(); w > 180 {
		t.Errorf("used weight %d past the slowdown mark", w)
	}
}

// TestFillsResume stops an import midway and resumes it from the checkpoints stored so far:
// together the runs give every trade, and a resumed symbol continues after its checkpoint.
func TestFillsResume(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 4000, nil, func(c *binance.Config) { c.PageSize = 250 })
	stop := errors.New("crash")
	saved := map[string]string{}
	var first []coach.Trade
	err := h.client.Fills(context.Background(), broker.FillsRequest{From: h.from, To: h.to}, func(p broker.FillPage) error {
		if len(first) >= 1500 {
			return stop
		}
		first = append(first, p.Trades...)
		saved[p.Scope] = p.Checkpoint
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Fills: %v, want the emit error", err)
	}
	rest, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to, Checkpoints: saved})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, tr := range append(first, rest...) {
		seen[tr.ExtID]++
	}
	for _, w := range h.fake.Trades() {
		if seen[w.ExtID] != 1 {
			t.Fatalf("trade %s seen %d times across the resume", w.ExtID, seen[w.ExtID])
		}
	}
}

// TestFillsWindows: a range that starts days before the first trade is scanned in windows of at
// most 24 h (the fake refuses longer ones) until the first trade, and ends at To exactly.
func TestFillsWindows(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 1000, nil, nil)
	from, to := h.from.Add(-5*24*time.Hour), h.from.Add(10*24*time.Hour+time.Hour)
	got, _, err := h.collect(t, broker.FillsRequest{From: from, To: to, Symbols: []coach.Symbol{"ETH-USDT", "ETH-BTC"}})
	if err != nil {
		t.Fatal(err)
	}
	var want []coach.Trade
	for _, tr := range h.fake.Trades() {
		if (tr.Symbol == "ETH-USDT" || tr.Symbol == "ETH-BTC") && tr.TS.Before(to) {
			want = append(want, tr)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if n := h.fake.RequestsTo("/api/v3/myTrades"); n < 2*6 {
		t.Errorf("%d myTrades requests, want the empty windows scanned", n)
	}
}

// TestFillsErrors maps the failures a user meets to coach codes.
func TestFillsErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(*binance.Config)
		fault  func(*brokertest.Binance)
		syms   []coach.Symbol
		code   coach.Code
		waits  int
	}{
		{name: "wrong key", mutate: func(c *binance.Config) { c.APIKey = "someone-else" }, code: coach.EUNAUTHORIZED},
		{name: "wrong secret", mutate: func(c *binance.Config) { c.SecretKey = seal.NewToken("not-the-secret") }, code: coach.EUNAUTHORIZED},
		{name: "unknown symbol", syms: []coach.Symbol{"XRP-USDT"}, code: coach.ENOTFOUND},
		{name: "no symbols, no key to discover them", mutate: func(c *binance.Config) { c.Symbols, c.APIKey, c.SecretKey = nil, "", seal.Token{} }, code: coach.EINVALID},
		{name: "banned for long", fault: func(f *brokertest.Binance) { f.BanNext(1, "7200") }, code: coach.ERATELIMITED},
		{name: "banned briefly", fault: func(f *brokertest.Binance) { f.BanNext(1, "60") }, code: "", waits: 1},
		{name: "rate limited throughout", fault: func(f *brokertest.Binance) { f.RateLimitAfter(0, 100, "") }, code: coach.ERATELIMITED, waits: 5},
		{name: "server errors then fine", fault: func(f *brokertest.Binance) { f.FailNext(2, 502, "<html>bad gateway</html>") }, code: "", waits: 2},
		{name: "malformed page", fault: func(f *brokertest.Binance) { f.FailNext(1, 200, `[{"id":"x"}]`) }, code: coach.EUNAVAILABLE},
		{name: "clock far off", fault: func(f *brokertest.Binance) {
			f.FailNext(2, 400, `{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}`)
		}, code: coach.EUNAVAILABLE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 200, nil, tc.mutate)
			if tc.fault != nil {
				tc.fault(h.fake)
			}
			_, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to, Symbols: tc.syms})
			if coach.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want code %q", err, tc.code)
			}
			if n := len(h.waits.all()); n != tc.waits {
				t.Errorf("%d waits, want %d", n, tc.waits)
			}
		})
	}
}

// TestCandles pages two days of minutes (three requests of at most 1000), oldest first, complete
// and aligned; and refuses an unknown symbol or interval.
func TestCandles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 0, nil, nil)
	public, err := binance.New(binance.Config{BaseURL: h.fake.URL(), Clock: h.clock, Sleep: h.waits.sleep})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2024, 1, 3, 0, 0, 30, 0, time.UTC)
	to := from.Add(48 * time.Hour)
	before := h.fake.RequestsTo("/api/v3/klines")
	got, err := public.Candles(context.Background(), "BTC-USDT", coach.Minute1, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2880 {
		t.Errorf("%d candles, want 2880", len(got))
	}
	for i, c := range got {
		if err := c.Validate(); err != nil || c.OpenTime.Before(from) || !c.OpenTime.Before(to) || i > 0 && !c.OpenTime.Equal(got[i-1].OpenTime.Add(time.Minute)) {
			t.Fatalf("candle %d at %s: out of order, range or invalid (%v)", i, c.OpenTime, err)
		}
	}
	if n := h.fake.RequestsTo("/api/v3/klines") - before; n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	if _, err := public.Candles(context.Background(), "XRP-USDT", coach.Hour1, from, to); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("unknown symbol: %v", err)
	}
	if _, err := public.Candles(context.Background(), "BTC-USDT", "2m", from, to); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("unknown interval: %v", err)
	}
}

// TestFeeInQuote converts the three kinds of fee the fake charges: quote (as is), base (× the
// fill's price) and BNB (× BNB's price in the quote asset from the fill's minute candle, or ÷ the
// inverse pair's), and refuses when no pair can price the fee asset.
func TestFeeInQuote(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 300, func(c *brokertest.BinanceConfig) {
		c.Symbols = []coach.Symbol{"BTC-USDT", "ETH-USDT", "BNB-USDT", "ETH-BTC", "BNB-BTC"}
	}, nil)
	ctx := context.Background()
	kinds := map[string]int{}
	for _, tr := range h.fake.Trades() {
		got, err := binance.FeeInQuote(ctx, tr, h.client)
		if err != nil {
			t.Fatalf("%s: %v", tr.ExtID, err)
		}
		var want decimal.Decimal
		switch tr.FeeAsset {
		case tr.Symbol.Quote():
			want, kinds["quote"] = tr.Fee.Decimal, kinds["quote"]+1
		case tr.Symbol.Base():
			want, kinds["base"] = tr.Fee.Decimal.Mul(tr.Price), kinds["base"]+1
		default:
			minute := tr.TS.Truncate(time.Minute)
			cs, err := h.client.Candles(ctx, coach.Symbol("BNB-"+tr.Symbol.Quote()), coach.Minute1, minute, minute.Add(time.Minute))
			if err != nil || len(cs) != 1 {
				t.Fatalf("candle of %s: %v", tr.ExtID, err)
			}
			want, kinds["bnb"] = tr.Fee.Decimal.Mul(decimal.NewFromFloat(cs[0].Close)), kinds["bnb"]+1
		}
		if !got.Equal(want) {
			t.Errorf("%s: fee %s %s in %s = %s, want %s", tr.ExtID, tr.Fee.Decimal, tr.FeeAsset, tr.Symbol.Quote(), got, want)
		}
	}
	if kinds["quote"] == 0 || kinds["base"] == 0 || kinds["bnb"] == 0 {
		t.Errorf("fee kinds %v, want all three", kinds)
	}

	// Only the inverse pair (USDT-BNB at 0.004, i.e. BNB at 250) prices the fee.
	inverse := marketData(func(s coach.Symbol, from time.Time) ([]coach.Candle, error) {
		if s != "USDT-BNB" {
			return nil, coach.Errorf(coach.ENOTFOUND, "no %s", s)
		}
		return []coach.Candle{{Symbol: s, Interval: coach.Minute1, OpenTime: from.Add(14 * time.Minute), Open: 0.004, High: 0.004, Low: 0.004, Close: 0.004}}, nil
	})
	tr := coach.Trade{Symbol: "BTC-USDT", Price: decimal.NewFromInt(40000), Fee: decimal.NewNullDecimal(decimal.RequireFromString("0.01")),
		FeeAsset: "BNB", TS: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	got, err := binance.FeeInQuote(ctx, tr, inverse)
	if err != nil || !got.Equal(decimal.RequireFromString("2.5")) {
		t.Errorf("inverse: %s, %v; want 2.5", got, err)
	}
	none := marketData(func(s coach.Symbol, _ time.Time) ([]coach.Candle, error) {
		return nil, coach.Errorf(coach.ENOTFOUND, "no %s", s)
	})
	if _, err := binance.FeeInQuote(ctx, tr, none); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("no pair: %v, want not_found", err)
	}
}

// marketData is a broker.MarketData answering with a function of the symbol and range start.
type marketData func(s coach.Symbol, from time.Time) ([]coach.Candle, error)

func (m marketData) Candles(_ context.Context, s coach.Symbol, _ coach.Interval, from, _ time.Time) ([]coach.Candle, error) {
	return m(s, from)
}

// TestFillsSelfTradeAcrossPages: with pages of two rows, self-trades (two rows, one id) straddle
// page boundaries; no side is lost or repeated, and a resume from a checkpoint taken between the
// two sides continues with the other side.
func TestFillsSelfTradeAcrossPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 400, func(c *brokertest.BinanceConfig) { c.Symbols = []coach.Symbol{"BTC-USDT"} },
		func(c *binance.Config) { c.PageSize = 2 })
	var pages []broker.FillPage
	err := h.client.Fills(context.Background(), broker.FillsRequest{From: h.from, To: h.to}, func(p broker.FillPage) error {
		pages = append(pages, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []coach.Trade
	split := -1 // a page that ends with one side of a self-trade
	for i, p := range pages {
		got = append(got, p.Trades...)
		if i+1 < len(pages) && split < 0 {
			next := pages[i+1].Trades[0]
			if next.Symbol == "BTC-USDT" && next.ExchangeTradeID == strings.Split(p.Checkpoint, ":")[1] {
				split = i
			}
		}
	}
	sortTrades(got)
	if diff := cmp.Diff(h.fake.Trades(), got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if split < 0 {
		t.Fatal("no self-trade straddles a page boundary; change the seed")
	}
	rest, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to, Checkpoints: map[string]string{"BTC-USDT": pages[split].Checkpoint}})
	if err != nil {
		t.Fatal(err)
	}
	var after []coach.Trade
	for _, p := range pages[split+1:] {
		after = append(after, p.Trades...)
	}
	sortTrades(after)
	if diff := cmp.Diff(after, rest); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
}
