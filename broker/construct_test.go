package broker_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/coinbase"
	"github.com/tradecoach/coach/internal/servicetest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// Every market-data type of this module is a coach.CandleSource as it is: no adapter between a
// broker and bias, rules, sim or digest.
var (
	_ coach.CandleSource = broker.MarketData(nil)
	_ coach.CandleSource = (*broker.FallbackMarketData)(nil)
	_ coach.CandleSource = (*broker.CachedMarketData)(nil)
	_ coach.CandleSource = (*coinbase.Client)(nil)
	_ coach.CandleSource = (*binance.Client)(nil)
	_ coach.CandleSource = (*brokertest.Demo)(nil)
	_ coach.CandleSource = storage.CandleSource(nil)
)

func TestConstructors(t *testing.T) {
	t.Parallel()
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	src := &MarketData{}
	for _, tc := range []struct {
		field string
		new   func() (any, error)
	}{
		{"ImporterConfig.Store", func() (any, error) { return broker.NewImporter(broker.ImporterConfig{}) }},
		{"ImporterConfig.Window", func() (any, error) { return broker.NewImporter(broker.ImporterConfig{Store: store, Window: -1}) }},
		{"CacheConfig.Store", func() (any, error) { return broker.NewCachedMarketData(broker.CacheConfig{Source: src}) }},
		{"CacheConfig.Source", func() (any, error) { return broker.NewCachedMarketData(broker.CacheConfig{Store: store.Candles()}) }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := tc.new()
			servicetest.RefusesField(t, err, tc.field)
		})
	}
	if _, err := broker.NewImporter(broker.ImporterConfig{Store: store}); err != nil {
		t.Errorf("NewImporter with the required fields: %v", err)
	}
	if _, err := broker.NewCachedMarketData(broker.CacheConfig{Store: store.Candles(), Source: src}); err != nil {
		t.Errorf("NewCachedMarketData with the required fields: %v", err)
	}
}

func TestZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	servicetest.ZeroValues(t, []any{(*broker.Importer)(nil), (*broker.CachedMarketData)(nil), (*broker.FallbackMarketData)(nil)})
}

func TestImportMetrics(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	rec := &servicetest.Metrics{}
	f.imp = mustImporter(t, broker.ImporterConfig{Store: f.store, Clock: f.clock, Metrics: rec})
	conn := f.connect(t, "conn1", "coinbase")
	b := newPagedBroker("coinbase", "cb", []string{"BTC-USDT", "ETH-USDT"}, 3, 5)
	b.failAfter, b.failErr = 4, coach.Errorf(coach.EUNAVAILABLE, "broker is down")
	if _, err := f.imp.Import(context.Background(), f.user, conn, b); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Fatalf("first import: %v, want EUNAVAILABLE", err)
	}
	if _, err := f.imp.Import(context.Background(), f.user, conn, b); err != nil {
		t.Fatalf("second import: %v", err)
	}
	// 6 pages of 5 fills: 4 stored by the failed import, 2 by the one that resumed.
	if got := rec.Counted(coach.MetricImportPages, "broker", "coinbase"); got != 6 {
		t.Errorf("pages = %d, want 6", got)
	}
	if got := rec.Counted(coach.MetricImportFills, "broker", "coinbase"); got != 30 {
		t.Errorf("fills = %d, want 30", got)
	}
	for _, outcome := range []string{string(coach.EUNAVAILABLE), coach.OutcomeOK} {
		if got := rec.Observed(coach.MetricImportDuration, "broker", "coinbase", "outcome", outcome); got != 1 {
			t.Errorf("imports with outcome %s = %d, want 1", outcome, got)
		}
	}
	// The import objective's time is the first complete import's (the resumed one), once.
	if got := rec.Observed(coach.MetricImportFirstDone, "broker", "coinbase"); got != 1 {
		t.Errorf("first imports done = %d after the first success, want 1", got)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.imp.Import(context.Background(), f.user, conn, b); err != nil {
		t.Fatalf("third import: %v", err)
	}
	if got := rec.Observed(coach.MetricImportFirstDone, "broker", "coinbase"); got != 1 {
		t.Errorf("first imports done = %d after a later sync, want still 1", got)
	}
}
