package outbox_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/storage/memory"
	transportmem "github.com/tradecoach/coach/transport/memory"
)

// batchBus is an in-memory bus that counts how it is asked to publish, and fails every batch
// while down is set.
type batchBus struct {
	*transportmem.Bus
	down             atomic.Bool
	batches, singles atomic.Int64
}

func (b *batchBus) Publish(ctx context.Context, e coach.Event) error {
	b.singles.Add(1)
	return b.Bus.Publish(ctx, e)
}

func (b *batchBus) PublishBatch(ctx context.Context, events []coach.Event) error {
	b.batches.Add(1)
	if b.down.Load() {
		return coach.Errorf(coach.EUNAVAILABLE, "bus down")
	}
	return b.Bus.PublishBatch(ctx, events)
}

func TestDispatchPublishesABatchInOneCallWhenTheBusCan(t *testing.T) {
	store := memory.New()
	bus := &batchBus{Bus: transportmem.NewBus(1000)}
	alice, bob := newUser(t, store), newUser(t, store)
	subA, _ := bus.Subscribe(context.Background(), alice)
	subB, _ := bus.Subscribe(context.Background(), bob)
	wantA := appendEvents(t, store, alice, 30)
	wantB := appendEvents(t, store, bob, 20)
	d, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, BatchSize: 500, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}

	bus.down.Store(true)
	if _, err := d.DispatchOnce(context.Background()); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Fatalf("DispatchOnce with the bus down: %v, want unavailable", err)
	}
	if n := undelivered(t, store); n != 50 {
		t.Fatalf("after a failed batch %d events are undelivered, want all 50", n)
	}

	bus.down.Store(false)
	n, err := d.DispatchOnce(context.Background())
	if err != nil || n != 50 {
		t.Fatalf("DispatchOnce = %d, %v; want 50", n, err)
	}
	if got, want := [2]int64{bus.batches.Load(), bus.singles.Load()}, [2]int64{2, 0}; got != want {
		t.Errorf("(PublishBatch, Publish) calls = %v, want %v", got, want)
	}
	if diff := cmp.Diff(wantA, collect(t, subA, 30)); diff != "" {
		t.Errorf("alice's events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantB, collect(t, subB, 20)); diff != "" {
		t.Errorf("bob's events (-want +got):\n%s", diff)
	}
	if n := undelivered(t, store); n != 0 {
		t.Errorf("%d events undelivered after the batch", n)
	}
}
