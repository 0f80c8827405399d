// Package memory implements the transport ports in one process: an event bus and a job queue with
// the same contracts as the Redis and asynq adapters. refhost's all-in-one mode uses them.
package memory

import (
	"context"
	"sync"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// DefaultSubscriptionBuffer is how many undelivered events a subscription holds before it is ended
// as too slow.
const DefaultSubscriptionBuffer = 1024

// Bus is an in-process transport.Bus. The zero value is not usable; call NewBus.
type Bus struct {
	buffer int

	mu     sync.Mutex
	subs   map[string]map[*subscription]struct{}
	closed bool
}

// NewBus returns a bus whose subscriptions buffer up to buffer events (DefaultSubscriptionBuffer
// when buffer ≤ 0); a subscription that falls further behind is ended with an EUNAVAILABLE error.
func NewBus(buffer int) *Bus {
	if buffer <= 0 {
		buffer = DefaultSubscriptionBuffer
	}
	return &Bus{buffer: buffer, subs: make(map[string]map[*subscription]struct{})}
}

// errBusNotConstructed is what a Bus not built by NewBus answers.
var errBusNotConstructed = coach.Errorf(coach.EINVALID, "memory: Bus not constructed; use memory.NewBus")

// PublishBatch delivers events in their order, as Publish does each (transport.BatchPublisher).
func (b *Bus) PublishBatch(ctx context.Context, events []coach.Event) error {
	if b == nil || b.subs == nil {
		return errBusNotConstructed
	}
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return ce
	}
	for _, e := range events {
		if err := b.Publish(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// Publish delivers e to every subscription of e.UserID without blocking.
func (b *Bus) Publish(ctx context.Context, e coach.Event) error {
	if b == nil || b.subs == nil {
		return errBusNotConstructed
	}
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return ce
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return coach.Errorf(coach.EUNAVAILABLE, "event bus closed")
	}
	for s := range b.subs[e.UserID] {
		select {
		case s.ch <- e:
		default:
			s.err = coach.Errorf(coach.EUNAVAILABLE, "subscriber too slow: more than %d events behind", b.buffer)
			b.removeLocked(s)
		}
	}
	return nil
}

// Subscribe returns a live subscription to userID's events.
func (b *Bus) Subscribe(ctx context.Context, userID string) (transport.Subscription, error) {
	if b == nil || b.subs == nil {
		return nil, errBusNotConstructed
	}
	if ce, ok := coach.ContextError(ctx.Err()); ok {
		return nil, ce
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, coach.Errorf(coach.EUNAVAILABLE, "event bus closed")
	}
	s := &subscription{bus: b, userID: userID, ch: make(chan coach.Event, b.buffer)}
	if b.subs[userID] == nil {
		b.subs[userID] = make(map[*subscription]struct{})
	}
	b.subs[userID][s] = struct{}{}
	return s, nil
}

// Close ends every subscription; later calls fail with EUNAVAILABLE.
func (b *Bus) Close() error {
	if b == nil || b.subs == nil {
		return errBusNotConstructed
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for _, set := range b.subs {
		for s := range set {
			s.err = coach.Errorf(coach.EUNAVAILABLE, "event bus closed")
			b.removeLocked(s)
		}
	}
	return nil
}

// removeLocked unregisters s and closes its channel; b.mu must be held.
func (b *Bus) removeLocked(s *subscription) {
	set := b.subs[s.userID]
	if _, ok := set[s]; !ok {
		return
	}
	delete(set, s)
	if len(set) == 0 {
		delete(b.subs, s.userID)
	}
	close(s.ch)
}

type subscription struct {
	bus    *Bus
	userID string
	ch     chan coach.Event
	err    error // guarded by bus.mu
}

func (s *subscription) Events() <-chan coach.Event { return s.ch }

func (s *subscription) Err() error {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	return s.err
}

func (s *subscription) Close() error {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	s.bus.removeLocked(s)
	return nil
}
