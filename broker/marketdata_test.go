package broker_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/storage/memory"
)

// MarketData is a broker.MarketData whose behaviour each test sets; it records its requests.
type MarketData struct {
	CandlesFunc func(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error)

	mu    sync.Mutex
	calls [][2]time.Time
}

func (m *MarketData) Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	m.mu.Lock()
	m.calls = append(m.calls, [2]time.Time{from, to})
	m.mu.Unlock()
	return m.CandlesFunc(ctx, symbol, interval, from, to)
}

func (m *MarketData) takeCalls() [][2]time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.calls
	m.calls = nil
	return out
}

var t0 = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// synthCandle is a deterministic valid candle for minute k.
func synthCandle(sym coach.Symbol, iv coach.Interval, at time.Time) coach.Candle {
	p := 100 + float64(at.Unix()%997)/10
	return coach.Candle{Symbol: sym, Interval: iv, OpenTime: at, Open: p, High: p + 1, Low: p - 1, Close: p + 0.5, Volume: 10}
}

// synthSource has every bar except those in missing.
func synthSource(missing ...time.Time) func(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
	return func(_ context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error) {
		var out []coach.Candle
		d := interval.Duration()
	next:
		for at := from.Truncate(d); at.Before(to); at = at.Add(d) {
			if at.Before(from) {
				continue
			}
			for _, m := range missing {
				if m.Equal(at) {
					continue next
				}
			}
			out = append(out, synthCandle(symbol, interval, at))
		}
		return out, nil
	}
}

func failing(code coach.Code) *MarketData {
	return &MarketData{CandlesFunc: func(context.Context, coach.Symbol, coach.Interval, time.Time, time.Time) ([]coach.Candle, error) {
		return nil, coach.Errorf(code, "source says %s", code)
	}}
}

func TestFallback(t *testing.T) {
	t.Parallel()
	good := &MarketData{CandlesFunc: synthSource()}
	for _, tc := range []struct {
		name       string
		chain      []broker.MarketData
		wantSource string
		wantCode   coach.Code
		wantPassed []string
	}{
		{"broker answers", []broker.MarketData{broker.Named("coinbase", good), broker.Named("vendor", failing(coach.EINTERNAL))}, "coinbase", "", nil},
		{"broker down", []broker.MarketData{broker.Named("coinbase", failing(coach.EUNAVAILABLE)), broker.Named("vendor", good)}, "vendor", "", []string{"coinbase"}},
		{"rate limited then unknown", []broker.MarketData{failing(coach.ERATELIMITED), failing(coach.ENOTFOUND), broker.Named("v", good)}, "v", "", []string{"source#0", "source#1"}},
		{"all unknown", []broker.MarketData{failing(coach.ENOTFOUND), failing(coach.ENOTFOUND)}, "", coach.ENOTFOUND, nil},
		{"all failed, one down", []broker.MarketData{failing(coach.ENOTFOUND), failing(coach.EUNAVAILABLE)}, "", coach.EUNAVAILABLE, nil},
		{"invalid stops the chain", []broker.MarketData{failing(coach.EINVALID), good}, "", coach.EINVALID, nil},
		{"internal stops the chain", []broker.MarketData{failing(coach.EINTERNAL), good}, "", coach.EINTERNAL, nil},
		{"no source is a misconfiguration", nil, "", coach.EINVALID, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var observed []string
			f := broker.Fallback(tc.chain...)
			f.OnAnswer = func(_ coach.Symbol, _ coach.Interval, a broker.Answer) { observed = append(observed, a.Source) }
			a, err := f.CandlesFrom(context.Background(), "BTC-USDT", coach.Minute1, t0, t0.Add(5*time.Minute))
			if coach.ErrorCode(err) != tc.wantCode {
				t.Fatalf("err = %v, want code %q", err, tc.wantCode)
			}
			if tc.wantCode != "" {
				if tc.wantCode == coach.ENOTFOUND && !strings.Contains(coach.ErrorMessage(err), "source says") {
					t.Errorf("message %q does not list the sources' reasons", coach.ErrorMessage(err))
				}
				return
			}
			var passed []string
			for _, p := range a.Passed {
				passed = append(passed, p.Source)
			}
			if a.Source != tc.wantSource || len(a.Candles) != 5 || !cmp.Equal(tc.wantPassed, passed) {
				t.Errorf("answer from %q with %d candles, passed %v; want %q, 5, %v", a.Source, len(a.Candles), passed, tc.wantSource, tc.wantPassed)
			}
			if !cmp.Equal([]string{tc.wantSource}, observed) {
				t.Errorf("OnAnswer saw %v", observed)
			}
		})
	}
}

func TestFallbackNamesBrokers(t *testing.T) {
	t.Parallel()
	b := &namedMD{MarketData: MarketData{CandlesFunc: synthSource()}}
	a, err := broker.Fallback(b).CandlesFrom(context.Background(), "BTC-USDT", coach.Hour1, t0, t0.Add(2*time.Hour))
	if err != nil || a.Source != "demo" {
		t.Fatalf("source = %q, err = %v; want the Name of the source", a.Source, err)
	}
}

type namedMD struct{ MarketData }

func (*namedMD) Name() string { return "demo" }

func TestCachedMarketData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(t0.Add(3 * time.Hour).Add(30 * time.Second)) // bar 03:00 is still open
	store := memory.New(memory.WithClock(clock))
	defer store.Close()
	src := &MarketData{CandlesFunc: synthSource()}
	c := mustCache(t, broker.CacheConfig{Store: store.Candles(), Source: src, Clock: clock, MergeGap: 5})
	sym := coach.Symbol("BTC-USDT")

	// First read: everything from the source, closed bars stored.
	got, err := c.Candles(ctx, sym, coach.Minute1, t0.Add(time.Hour), t0.Add(2*time.Hour))
	if err != nil || len(got) != 60 {
		t.Fatalf("first read: %d candles, %v", len(got), err)
	}
	if calls := src.takeCalls(); len(calls) != 1 {
		t.Errorf("first read: %d source calls, want 1", len(calls))
	}
	// A covered range: no source call, same candles.
	again, err := c.Candles(ctx, sym, coach.Minute1, t0.Add(time.Hour+10*time.Minute), t0.Add(time.Hour+20*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if calls := src.takeCalls(); len(calls) != 0 {
		t.Errorf("covered range: source asked %v", calls)
	}
	if diff := cmp.Diff(got[10:20], again); diff != "" {
		t.Errorf("cached candles (-first +again):\n%s", diff)
	}
	// A range overlapping the cache: only the missing stretches are asked for.
	_, err = c.Candles(ctx, sym, coach.Minute1, t0.Add(30*time.Minute), t0.Add(2*time.Hour+30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	wantCalls := [][2]time.Time{
		{t0.Add(30 * time.Minute), t0.Add(time.Hour)},
		{t0.Add(2 * time.Hour), t0.Add(2*time.Hour + 30*time.Minute)},
	}
	if diff := cmp.Diff(wantCalls, src.takeCalls()); diff != "" {
		t.Errorf("partial overlap calls (-want +got):\n%s", diff)
	}
	// Up to now: the open bar (03:00) is fetched live and never cached; a bar not yet begun is not asked.
	live, err := c.Candles(ctx, sym, coach.Minute1, t0.Add(2*time.Hour+50*time.Minute), t0.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]time.Time{
		{t0.Add(2*time.Hour + 50*time.Minute), t0.Add(3 * time.Hour)},
		{t0.Add(3 * time.Hour), t0.Add(4 * time.Hour)},
	}, src.takeCalls()); diff != "" {
		t.Errorf("live calls (-want +got):\n%s", diff)
	}
	if n := len(live); n != 10+60 { // the synthetic source has future bars too; the cache passes them on
		t.Errorf("live read: %d candles", n)
	}
	stored, _ := store.Candles().Range(ctx, sym, coach.Minute1, t0.Add(3*time.Hour), t0.Add(5*time.Hour))
	if len(stored) != 0 {
		t.Errorf("%d bars at or after the open bar were cached", len(stored))
	}
	// Misaligned bounds: slots start at the first aligned bar at or after from.
	odd, err := c.Candles(ctx, sym, coach.Minute1, t0.Add(time.Hour+10*time.Minute+30*time.Second), t0.Add(time.Hour+13*time.Minute))
	if err != nil || len(odd) != 2 || !odd[0].OpenTime.Equal(t0.Add(time.Hour+11*time.Minute)) {
		t.Errorf("misaligned read: %v, %v", odd, err)
	}
	if calls := src.takeCalls(); len(calls) != 0 {
		t.Errorf("misaligned covered read asked the source %v", calls)
	}
}

func TestCachedMarketDataMergesSmallGaps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := coach.NewManualClock(t0.Add(24 * time.Hour))
	store := memory.New(memory.WithClock(clock))
	defer store.Close()
	sym := coach.Symbol("ETH-USDT")
	// The cache holds minutes 0-59 except 10, 12 and 40.
	var seed []coach.Candle
	for m := range 60 {
		if m != 10 && m != 12 && m != 40 {
			seed = append(seed, synthCandle(sym, coach.Minute1, t0.Add(time.Duration(m)*time.Minute)))
		}
	}
	if err := store.Candles().Put(ctx, seed); err != nil {
		t.Fatal(err)
	}
	src := &MarketData{CandlesFunc: synthSource(t0.Add(40 * time.Minute))} // the source lacks minute 40 too
	c := mustCache(t, broker.CacheConfig{Store: store.Candles(), Source: src, Clock: clock, MergeGap: 3})
	got, err := c.Candles(ctx, sym, coach.Minute1, t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]time.Time{
		{t0.Add(10 * time.Minute), t0.Add(13 * time.Minute)}, // 10 and 12 merged across one cached bar
		{t0.Add(40 * time.Minute), t0.Add(41 * time.Minute)},
	}, src.takeCalls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if len(got) != 59 {
		t.Errorf("%d candles, want 59 (minute 40 does not exist)", len(got))
	}
	for i := 1; i < len(got); i++ {
		if !got[i-1].OpenTime.Before(got[i].OpenTime) {
			t.Fatalf("candles out of order or repeated at %d", i)
		}
	}
	// A bar the source lacks is asked for again (documented), and only it.
	if _, err := c.Candles(ctx, sym, coach.Minute1, t0, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][2]time.Time{{t0.Add(40 * time.Minute), t0.Add(41 * time.Minute)}}, src.takeCalls()); diff != "" {
		t.Errorf("second read calls (-want +got):\n%s", diff)
	}
}

func TestCachedMarketDataErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	defer store.Close()
	c := mustCache(t, broker.CacheConfig{Store: store.Candles(), Source: failing(coach.EUNAVAILABLE), Clock: coach.NewManualClock(t0.Add(time.Hour))})
	if _, err := c.Candles(ctx, "BTC-USDT", coach.Minute1, t0, t0.Add(time.Minute)); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("source down: err = %v", err)
	}
	if _, err := c.Candles(ctx, "BTC-USDT", "2m", t0, t0.Add(time.Minute)); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("bad interval: err = %v", err)
	}
	if _, err := c.Candles(ctx, "BTC-USDT", coach.Minute1, t0.Add(time.Minute), t0); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("to before from: err = %v", err)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	blobs := memory.NewBlobs()
	var cs []coach.Candle
	for m := range 30 {
		cs = append(cs, synthCandle("BTC-USDT", coach.Minute1, t0.Add(time.Duration(m)*time.Minute)))
		cs = append(cs, synthCandle("ETH-USDT", coach.Hour1, t0.Add(time.Duration(m)*time.Hour)))
	}
	odd := cs[0].Low + 0.1 // a float with no short decimal form
	cs[0].Close = odd
	ref, err := broker.Snapshot(ctx, blobs, cs)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Count != 60 || ref.Key != "snapshots/"+ref.SHA256+".json" {
		t.Errorf("ref = %+v", ref)
	}
	// The same candles in another order and zone give the same bytes.
	shuffled := make([]coach.Candle, 0, len(cs)+1)
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		c.OpenTime = c.OpenTime.In(time.FixedZone("X", 3600))
		shuffled = append(shuffled, c)
	}
	shuffled = append(shuffled, cs[3]) // an exact repeat is kept once
	ref2, err := broker.Snapshot(ctx, blobs, shuffled)
	if err != nil {
		t.Fatal(err)
	}
	if ref2 != ref {
		t.Errorf("shuffled snapshot ref = %+v, want %+v", ref2, ref)
	}
	got, err := broker.LoadSnapshot(ctx, blobs, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 60 || got[0].Symbol != "BTC-USDT" || got[0].Close != odd || !got[0].OpenTime.Equal(t0) {
		t.Errorf("loaded %d candles, first %+v", len(got), got[0])
	}
	// Known bytes: the format is part of the reproducibility contract.
	b, err := broker.MarshalSnapshot([]coach.Candle{{Symbol: "BTC-USDT", Interval: coach.Minute1, OpenTime: t0, Open: 1, High: 2.5, Low: 0.5, Close: 1.25, Volume: 1e-7}})
	if err != nil {
		t.Fatal(err)
	}
	want := "{\"version\":1,\"candles\":[\n{\"symbol\":\"BTC-USDT\",\"interval\":\"1m\",\"openTime\":\"2026-01-05T00:00:00Z\",\"open\":1,\"high\":2.5,\"low\":0.5,\"close\":1.25,\"volume\":1e-7}\n]}\n"
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("canonical bytes (-want +got):\n%s", diff)
	}
}

func TestSnapshotRejects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	blobs := memory.NewBlobs()
	c := synthCandle("BTC-USDT", coach.Minute1, t0)
	conflict := c
	conflict.Close += 0.25
	if _, err := broker.Snapshot(ctx, blobs, []coach.Candle{c, conflict}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("conflicting candles: err = %v", err)
	}
	bad := c
	bad.Low = bad.High + 1
	if _, err := broker.Snapshot(ctx, blobs, []coach.Candle{bad}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("invalid candle: err = %v", err)
	}
	ref, err := broker.Snapshot(ctx, blobs, []coach.Candle{c})
	if err != nil {
		t.Fatal(err)
	}
	// Tampered content under the same key: the hash check catches it.
	tampered := strings.Replace(mustMarshal(t, []coach.Candle{c}), "\"volume\":10", "\"volume\":11", 1)
	if _, err := blobs.Put(ctx, ref.Key, strings.NewReader(tampered), "application/json"); err != nil {
		t.Fatal(err)
	}
	if _, err := broker.LoadSnapshot(ctx, blobs, ref); coach.ErrorCode(err) != coach.EINTERNAL {
		t.Errorf("tampered snapshot: err = %v, want EINTERNAL", err)
	}
	if _, err := broker.LoadSnapshot(ctx, blobs, broker.SnapshotRef{SHA256: strings.Repeat("0", 64)}); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("missing snapshot: err = %v, want ENOTFOUND", err)
	}
	if _, err := broker.LoadSnapshot(ctx, blobs, broker.SnapshotRef{SHA256: "../etc"}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("malformed ref: err = %v, want EINVALID", err)
	}
}

func mustMarshal(t *testing.T, cs []coach.Candle) string {
	t.Helper()
	b, err := broker.MarshalSnapshot(cs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func FuzzUnmarshalSnapshot(f *testing.F) {
	f.Add([]byte(`{"version":1,"candles":[]}`))
	f.Add([]byte(`{"version":1,"candles":[{"symbol":"BTC-USDT","interval":"1m","openTime":"2026-01-05T00:00:00Z","open":1,"high":2,"low":0.5,"close":1,"volume":0}]}`))
	f.Add([]byte(`{"version":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := broker.UnmarshalSnapshot(b)
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.Validate() != nil {
				t.Fatal("invalid candle accepted")
			}
		}
		if _, err := broker.MarshalSnapshot(cs); err != nil && coach.ErrorCode(err) != coach.EINVALID {
			t.Fatalf("re-marshal: %v", err)
		}
	})
}
