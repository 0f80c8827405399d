package broker_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/binance"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/redis"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

// watchedBroker counts the runs of Fills in flight for one connection, across workers.
type watchedBroker struct {
	broker.Broker
	inFlight, most *atomic.Int32
}

func (b watchedBroker) Fills(ctx context.Context, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	n := b.inFlight.Add(1)
	defer b.inFlight.Add(-1)
	for {
		m := b.most.Load()
		if n <= m || b.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(20 * time.Millisecond) // long enough for the other worker to try the same connection
	return b.Broker.Fills(ctx, req, emit)
}

// Two workers, each with its own Importer, Binance client and connection to one real Redis,
// import the same two connections at the same time, round after round: each connection's
// import runs once at a time (the other worker gets ECONFLICT), every round imports, and the
// shared weight budget holds.
func TestImportRunsOnceAtATimePerConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	leaseStore := redistest.MustOpen(t)
	other, err := redis.New(redistest.MustOpenClient(t), redis.Config{Prefix: leaseStore.Prefix()})
	if err != nil {
		t.Fatal(err)
	}
	fake := brokertest.NewBinance(brokertest.BinanceConfig{Seed: 3})
	t.Cleanup(fake.Close)
	fake.AddFills(300)
	now := time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC)
	store := memory.New(memory.WithClock(coach.NewManualClock(now)))
	t.Cleanup(func() { store.Close() })
	conns := []coach.BrokerConnection{
		{ID: "connA", UserID: "user1", Broker: coach.BrokerBinance, Status: coach.ConnectionActive, AccessEnc: []byte("sealed"), CreatedAt: now.Add(-time.Hour)},
		{ID: "connB", UserID: "user1", Broker: coach.BrokerBinance, Status: coach.ConnectionActive, AccessEnc: []byte("sealed"), CreatedAt: now.Add(-time.Hour)},
	}
	for _, c := range conns {
		if err := store.Connections().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	inFlight := map[string]*atomic.Int32{"connA": {}, "connB": {}}
	most := map[string]*atomic.Int32{"connA": {}, "connB": {}}
	var conflicts, done atomic.Int32
	var wg sync.WaitGroup
	for w, rs := range []*redis.Store{leaseStore, other} {
		imp, err := broker.NewImporter(broker.ImporterConfig{Store: store, Clock: coach.NewManualClock(now), Window: 3 * 24 * time.Hour,
			Leases: rs.Leases(), LeaseTTL: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		client, err := binance.New(binance.Config{BaseURL: fake.URL(), APIKey: fake.Config().APIKey,
			SecretKey: seal.NewToken(fake.Config().SecretKey), Symbols: fake.Config().Symbols, Budget: rs.WeightBudget()})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range conns {
			wg.Go(func() {
				src := watchedBroker{Broker: client, inFlight: inFlight[c.ID], most: most[c.ID]}
				for round := range 3 {
					_, err := imp.Import(ctx, "user1", c, src)
					switch coach.ErrorCode(err) {
					case "":
						done.Add(1)
					case coach.ECONFLICT:
						conflicts.Add(1)
					default:
						t.Errorf("worker %d, %s, round %d: %v", w, c.ID, round, err)
					}
				}
			})
		}
	}
	wg.Wait()
	t.Logf("%d imports done, %d refused as already running", done.Load(), conflicts.Load())
	for id, m := range most {
		if m.Load() != 1 {
			t.Errorf("%s: %d imports ran at once, want 1", id, m.Load())
		}
	}
	if conflicts.Load() == 0 {
		t.Error("no import was refused: the workers never tried one connection at the same time")
	}
	if done.Load() < 2 || done.Load()+conflicts.Load() != 12 {
		t.Errorf("%d imports done, %d refused, want 12 in all and each connection imported", done.Load(), conflicts.Load())
	}
	if n := fake.Overruns(); n != 0 {
		t.Errorf("the fake saw %d requests past its weight limit", n)
	}
	trades, err := store.Trades().List(ctx, "user1", storage.TradeFilter{Limit: 100})
	if err != nil || len(trades) == 0 {
		t.Errorf("stored trades: %d, %v; want some", len(trades), err)
	}
}
