package redis

import "github.com/tradecoach/coach"

// subscription is one transport.Subscription of a Bus.
type subscription struct {
	bus   *Bus
	link  *link
	topic *topic
	ch    chan coach.Event
	// Guarded by bus.mu.
	done bool  // ch is closed
	err  error // why it ended; nil while live or after Close
}

// Events delivers the user's events in publish order and is closed when the subscription ends.
func (s *subscription) Events() <-chan coach.Event { return s.ch }

// Err returns why the subscription ended: nil while it is live or after Close, EUNAVAILABLE when
// it fell too far behind, the connection dropped or the bus was closed.
func (s *subscription) Err() error {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	return s.err
}

// Close ends the subscription; it is safe to call more than once.
func (s *subscription) Close() error {
	s.bus.leave(s, nil)
	return nil
}

// endLocked closes s's feed with err as the reason; bus.mu must be held and s not yet done.
func (s *subscription) endLocked(err error) {
	s.done = true
	s.err = err
	close(s.ch)
}
