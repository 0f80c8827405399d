package broker_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/storage/memory"
)

// blockingBroker holds every Fills call until release is closed, counting the calls in flight.
type blockingBroker struct {
	broker.Broker
	entered  chan struct{}
	release  chan struct{}
	inFlight atomic.Int32
}

func (b *blockingBroker) Fills(ctx context.Context, req broker.FillsRequest, emit func(broker.FillPage) error) error {
	b.inFlight.Add(1)
	defer b.inFlight.Add(-1)
	b.entered <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
		e, _ := coach.ContextError(ctx.Err())
		return e
	}
	return b.Broker.Fills(ctx, req, emit)
}

// Two runs of one Importer (two jobs of the same connection on one worker) exclude each other
// as runs on two workers do: the second is ECONFLICT while the first holds the lease.
func TestImportLeaseExcludesRunsOfOneImporter(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	f.imp = mustImporter(t, broker.ImporterConfig{Store: f.store, Clock: f.clock, Leases: memory.NewLeases(nil)})
	b := &blockingBroker{Broker: newPagedBroker("coinbase", "cb", []string{"fills"}, 2, 1), entered: make(chan struct{}, 2), release: make(chan struct{})}
	ctx := context.Background()
	var wg sync.WaitGroup
	var firstErr error
	wg.Go(func() { _, firstErr = f.imp.Import(ctx, f.user, conn, b) })
	select {
	case <-b.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the first import never reached the broker")
	}
	second, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := f.imp.Import(second, f.user, conn, b)
	if coach.ErrorCode(err) != coach.ECONFLICT {
		t.Errorf("a second run of the same Importer while the first runs: %v, want ECONFLICT", err)
	}
	close(b.release)
	wg.Wait()
	if firstErr != nil {
		t.Fatalf("first import: %v", firstErr)
	}
	// Once the first ended, the connection imports again.
	if _, err := f.imp.Import(ctx, f.user, conn, b); err != nil {
		t.Errorf("an import after the first ended: %v", err)
	}
}
