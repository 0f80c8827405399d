package sim_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// CandleSource is a coach.CandleSource whose behaviour each test sets.
type CandleSource struct {
	CandlesFunc func(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error)
}

func (s *CandleSource) Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	return s.CandlesFunc(ctx, symbol, interval, from, to)
}

// serve answers from candles as a market-data source does: [from, to) of one symbol and
// interval, in order, ENOTFOUND for a symbol it does not have. It counts the calls.
func serve(candles []coach.Candle, calls *atomic.Int32) *CandleSource {
	return &CandleSource{CandlesFunc: func(_ context.Context, sym coach.Symbol, iv coach.Interval, from, to time.Time) ([]coach.Candle, error) {
		calls.Add(1)
		var out []coach.Candle
		for _, c := range candles {
			if c.Symbol == sym && c.Interval == iv && !c.OpenTime.Before(from) && c.OpenTime.Before(to) {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return nil, coach.Errorf(coach.ENOTFOUND, "no candles of %s", sym)
		}
		return out, nil
	}}
}

// failingCache is a storage.Cache that is down.
type failingCache struct{}

func (failingCache) Get(context.Context, string) ([]byte, error) {
	return nil, coach.Errorf(coach.EUNAVAILABLE, "cache down")
}
func (failingCache) Set(context.Context, string, []byte, time.Duration) error {
	return coach.Errorf(coach.EUNAVAILABLE, "cache down")
}
func (failingCache) Delete(context.Context, string) error { return nil }

// serviceFixture is a user with the trades of the skip-FOMO worked example, the tag, a rule, and
// a service over a memory store and cache.
type serviceFixture struct {
	store  *memory.Store
	clock  *coach.ManualClock
	svc    *configured
	user   string
	calls  atomic.Int32
	stored []coach.Trade
	tags   []coach.BiasTag
	req    sim.Request
	candle []coach.Candle
}

func newServiceFixture(t *testing.T) *serviceFixture {
	t.Helper()
	ctx := context.Background()
	fx := &serviceFixture{clock: coach.NewManualClock(t0.Add(48 * time.Hour))}
	fx.store = memory.New(memory.WithClock(fx.clock))
	t.Cleanup(func() { fx.store.Close() })
	fx.user = coach.NewID()
	if err := fx.store.Users().Create(ctx, coach.User{ID: fx.user, Email: "trader@example.com", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	in := trades(
		buy("b1", "1", "100", 1*time.Hour, "0.10 USDT"),
		buy("b2", "1", "120", 2*time.Hour, "0.12 USDT"),
		sell("s1", "1.5", "110", 3*time.Hour, "0.165 USDT"),
	)
	for i := range in {
		in[i].UserID = ""
	}
	if _, err := fx.store.Trades().Upsert(ctx, fx.user, in); err != nil {
		t.Fatal(err)
	}
	var err error
	fx.stored, err = fx.store.Trades().List(ctx, fx.user, storage.TradeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byExt := map[string]string{}
	var ids []string
	for _, tr := range fx.stored {
		byExt[tr.ExtID] = tr.ID
		ids = append(ids, tr.ID)
	}
	fx.tags = []coach.BiasTag{{ID: coach.NewID(), UserID: fx.user, TradeID: byExt["b2"], Label: coach.LabelFOMO,
		Confidence: 0.8, Features: json.RawMessage(`{"v":"test"}`), CreatedAt: t0}}
	if err := fx.store.Tags().Replace(ctx, fx.user, ids, fx.tags); err != nil {
		t.Fatal(err)
	}
	fx.candle = hourly(btc, bar{100, 100, 100, 100}, bar{100, 100, 100, 100}, bar{120, 120, 120, 120},
		bar{110, 110, 110, 110}, bar{100, 100, 100, 100}, bar{90, 90, 90, 90})
	fx.svc = &configured{sim.ServiceConfig{Store: fx.store, Candles: serve(fx.candle, &fx.calls), Cache: memory.NewCache(fx.clock), TTL: time.Hour}}
	fx.req = sim.Request{Scenario: sim.Scenario{Kind: sim.KindSkipLabel, Label: coach.LabelFOMO}, Params: window(6)}
	return fx
}

func TestServiceSimulate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newServiceFixture(t)

	got, err := fx.svc.Simulate(ctx, fx.user, fx.req)
	if err != nil {
		t.Fatal(err)
	}
	// The service gives what Run gives on the stored data, at the default interval (1h), converted
	// into the user's default currency (USD) through the candles the source has of the pairs that
	// may join USDT to USD: BTC-USDT only, so nothing converts.
	conv, err := ledger.NewConverter(ledger.ConverterConfig{Currency: "USD", Candles: coach.SeriesOf(fx.candle)})
	if err != nil {
		t.Fatal(err)
	}
	want := mustRun(t, sim.Input{Trades: fx.stored, Tags: fx.tags, Candles: fx.candle, Scenario: fx.req.Scenario, Params: fx.req.Params, Converter: conv})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Simulate (-Run +Simulate):\n%s", diff)
	}
	if got.Cached || !got.PnL[0].Delta.Total.Equal(d("20.175")) {
		t.Fatalf("first call: cached %v, delta %s; want a fresh result with delta 20.175", got.Cached, got.PnL[0].Delta.Total)
	}

	// The same request again is a cache hit with the same result.
	again, err := fx.svc.Simulate(ctx, fx.user, fx.req)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cached {
		t.Fatal("second call: not answered from the cache")
	}
	again.Cached = false
	if diff := cmp.Diff(got, again); diff != "" {
		t.Fatalf("cached result (-fresh +cached):\n%s", diff)
	}

	// Another scenario is another key.
	other := fx.req
	other.Scenario = sim.Scenario{Kind: sim.KindNoRevenge}
	if res, err := fx.svc.Simulate(ctx, fx.user, other); err != nil || res.Cached {
		t.Fatalf("another scenario: cached %v, err %v; want a fresh result", res.Cached, err)
	}

	// A new trade changes the data hash: the cache is not used.
	extra := trades(buy("b3", "0.1", "90", 4*time.Hour))
	extra[0].UserID = ""
	if _, err := fx.store.Trades().Upsert(ctx, fx.user, extra); err != nil {
		t.Fatal(err)
	}
	res, err := fx.svc.Simulate(ctx, fx.user, fx.req)
	if err != nil || res.Cached || res.Data.Trades != 4 {
		t.Fatalf("after a new trade: cached %v, %d trades, err %v; want a fresh result of 4 trades", res.Cached, res.Data.Trades, err)
	}
	if res, err := fx.svc.Simulate(ctx, fx.user, fx.req); err != nil || !res.Cached {
		t.Fatalf("repeated: cached %v, err %v; want a hit", res.Cached, err)
	}

	// Past the TTL the result is computed again.
	fx.clock.Advance(time.Hour + time.Second)
	if res, err := fx.svc.Simulate(ctx, fx.user, fx.req); err != nil || res.Cached {
		t.Fatalf("after the TTL: cached %v, err %v; want a fresh result", res.Cached, err)
	}
}

func TestServiceCacheDownStillSimulates(t *testing.T) {
	t.Parallel()
	fx := newServiceFixture(t)
	fx.svc.Cache = failingCache{}
	for range 2 {
		res, err := fx.svc.Simulate(context.Background(), fx.user, fx.req)
		if err != nil || res.Cached || !res.PnL[0].Delta.Total.Equal(d("20.175")) {
			t.Fatalf("with the cache down: cached %v, err %v", res.Cached, err)
		}
	}
}

func TestServiceFollowsStoredRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newServiceFixture(t)
	r := coach.Rule{ID: coach.NewID(), UserID: fx.user, Kind: "maxNotionalPerTrade", Params: json.RawMessage(`{"amount":"110","quote":"USDT"}`), Active: true, CreatedAt: t0}
	if err := fx.store.Rules().Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	res, err := fx.svc.Simulate(ctx, fx.user, sim.Request{Scenario: sim.Scenario{Kind: sim.KindFollowRule}, Params: window(6)})
	if err != nil {
		t.Fatal(err)
	}
	// b2 (a buy of 120 USDT) broke the 110 USDT cap: blocked, as skipping it was.
	if got := res.PnL[0].Delta.Total; !got.Equal(d("20.175")) || res.Data.Labelled != 1 || len(res.Data.Rules) != 1 || res.Data.Rules[0] != r.ID {
		t.Fatalf("delta %s, data %+v; want 20.175 with one buy blocked by %s", got, res.Data, r.ID)
	}
	_, err = fx.svc.Simulate(ctx, fx.user, sim.Request{Scenario: sim.Scenario{Kind: sim.KindFollowRule, RuleIDs: []string{coach.NewID()}}, Params: window(6)})
	if coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Fatalf("unknown rule: %v, want ENOTFOUND", err)
	}
}

func TestServiceErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newServiceFixture(t)
	long := fx.req
	long.Interval = coach.Minute1
	long.To = long.From.Add(3 * 365 * 24 * time.Hour)
	for _, tc := range []struct {
		name string
		user string
		req  sim.Request
		code coach.Code
	}{
		{"bad user id", "not an id", fx.req, coach.EINVALID},
		{"unknown user", coach.NewID(), fx.req, coach.ENOTFOUND},
		{"bad request", fx.user, sim.Request{Params: window(6)}, coach.EINVALID},
		{"too many candles", fx.user, long, coach.EINVALID},
	} {
		if _, err := fx.svc.Simulate(ctx, tc.user, tc.req); coach.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// A market-data failure fails the simulation; an unknown symbol only leaves it without
	// candles.
	fx.svc.Candles = &CandleSource{CandlesFunc: func(context.Context, coach.Symbol, coach.Interval, time.Time, time.Time) ([]coach.Candle, error) {
		return nil, coach.Errorf(coach.EUNAVAILABLE, "vendor down")
	}}
	if _, err := fx.svc.Simulate(ctx, fx.user, fx.req); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("market data down: %v, want EUNAVAILABLE", err)
	}
	fx.svc.Candles = &CandleSource{CandlesFunc: func(context.Context, coach.Symbol, coach.Interval, time.Time, time.Time) ([]coach.Candle, error) {
		return nil, coach.Errorf(coach.ENOTFOUND, "unknown symbol")
	}}
	res, err := fx.svc.Simulate(ctx, fx.user, fx.req)
	if err != nil || res.Data.Candles != 0 || len(res.Data.Marks) != 1 || !res.Data.Marks[0].Fill {
		t.Errorf("unknown symbol: err %v, data %+v; want a result marked at the last fill", err, res.Data)
	}
}

// configured is a ServiceConfig a test may change between calls: Simulate builds the Service from
// it with sim.New each time.
type configured struct{ sim.ServiceConfig }

func (c *configured) Simulate(ctx context.Context, userID string, req sim.Request) (sim.Result, error) {
	svc, err := sim.New(c.ServiceConfig)
	if err != nil {
		return sim.Result{}, err
	}
	return svc.Simulate(ctx, userID, req)
}
