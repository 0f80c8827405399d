package redis

import (
	"context"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// Bus defaults.
const (
	// DefaultPrefix starts every channel name when BusConfig.Prefix is empty (the key prefix of
	// storage/redis's default too).
	DefaultPrefix = "coach:"
	// DefaultBusBuffer is how many undelivered events a subscription holds before it is ended as
	// too slow (the in-memory bus's default too).
	DefaultBusBuffer = 1024
	// DefaultHealthCheck is how often the bus pings its subscriber connection.
	DefaultHealthCheck = 5 * time.Second
)

// BusConfig configures a Bus.
type BusConfig struct {
	// Prefix starts every channel name (default DefaultPrefix): the events of a user go to the
	// channel Prefix+"events:"+userID. Buses with different prefixes never see each other's events.
	Prefix string
	// Buffer is how many undelivered events a subscription holds (default DefaultBusBuffer). A
	// subscriber that falls further behind is ended with EUNAVAILABLE. The buffer is a channel
	// allocated when the subscription starts, about 112 bytes an event (112 KiB at the default):
	// a process with thousands of subscriptions may want a smaller one.
	Buffer int
	// HealthCheck is how often the subscriber connection is pinged (default DefaultHealthCheck). A
	// ping not answered within one interval counts as a lost connection.
	HealthCheck time.Duration
}

// withDefaults returns c with empty fields set to their defaults.
func (c BusConfig) withDefaults() BusConfig {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.Buffer == 0 {
		c.Buffer = DefaultBusBuffer
	}
	if c.HealthCheck == 0 {
		c.HealthCheck = DefaultHealthCheck
	}
	return c
}

// Validate reports the first field out of range, by its name.
func (c BusConfig) Validate() error {
	if strings.ContainsAny(c.Prefix, "*?[]\\ \t\r\n") {
		return coach.Errorf(coach.EINVALID, "redis: Prefix %q must not contain glob characters or spaces", c.Prefix)
	}
	if c.Buffer < 0 {
		return coach.Errorf(coach.EINVALID, "redis: Buffer must not be negative, got %d", c.Buffer)
	}
	if c.HealthCheck < 0 {
		return coach.Errorf(coach.EINVALID, "redis: HealthCheck must not be negative, got %s", c.HealthCheck)
	}
	return nil
}

// Bus is a transport.Bus on Redis pub/sub, for several processes (edge instances) that must all
// hear every user's events. Publish is one PUBLISH of the JSON-encoded coach.Event on the
// channel Prefix+"events:"+userID; PublishBatch pipelines many (transport.BatchPublisher).
//
// All subscriptions of a Bus share one subscriber connection (one go-redis PubSub): the bus
// SUBSCRIBEs to a user's channel when the user's first subscription starts, fans each message out
// to that user's subscriptions, and UNSUBSCRIBEs when the last one closes; the connection is
// opened with the first subscription and closed with the last. So a process relaying a thousand
// users holds one Redis connection, not a thousand. Subscribe returns only once Redis has
// confirmed the SUBSCRIBE, so the subscription is live when it returns.
//
// Pub/sub keeps nothing: when the connection drops (Redis restarts, the network fails, the
// server kills a client that reads too slowly, or a health-check ping goes unanswered), every
// subscription of the bus ends at once with an EUNAVAILABLE error, and the callers resubscribe
// and replay from the outbox. The bus never lets go-redis reconnect and resubscribe silently,
// which would lose the events published meanwhile: any read error ends the connection, and a
// subscribe confirmation the bus did not ask for (go-redis resubscribing on a new connection)
// ends it too.
//
// A subscription whose buffer is full when an event arrives is ended with EUNAVAILABLE; delivery
// never blocks, so one slow subscriber cannot hold up the others. A message on a user's channel
// that is not an event of that user (another publisher's) is dropped.
//
// A Bus is safe for concurrent use. Its client stays the caller's to close, after the Bus.
type Bus struct {
	client goredis.UniversalClient
	prefix string // channel prefix: BusConfig.Prefix + "events:"
	buffer int
	health time.Duration

	// ctl serializes what changes the connection's subscriptions (SUBSCRIBE and UNSUBSCRIBE are
	// written in the order the bus decided them) and the opening of connections. Lock ctl
	// before mu, never the other way round.
	ctl sync.Mutex
	// mu guards the state below and that of the link and its topics and subscriptions. It is
	// never held across a network call.
	mu     sync.Mutex
	link   *link // the open subscriber connection, nil when there is no subscription
	closed bool
}

var (
	_ transport.Bus            = (*Bus)(nil)
	_ transport.BatchPublisher = (*Bus)(nil)
)

// NewBus returns a Bus over client, which stays the caller's to close.
func NewBus(client goredis.UniversalClient, cfg BusConfig) (*Bus, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if client == nil {
		return nil, coach.Errorf(coach.EINVALID, "redis: client is nil")
	}
	return &Bus{client: client, prefix: cfg.Prefix + "events:", buffer: cfg.Buffer, health: cfg.HealthCheck}, nil
}

// Channel returns the Redis channel of userID's events.
func (b *Bus) Channel(userID string) string {
	if b == nil {
		return ""
	}
	return b.prefix + userID
}

// errNotConstructed is what a Bus not built by NewBus answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "redis: Bus not constructed; use redis.NewBus")

func (b *Bus) constructed() bool { return b != nil && b.client != nil }

// errBusClosed is the error of everything done with a closed bus.
func errBusClosed() error { return coach.Errorf(coach.EUNAVAILABLE, "event bus closed") }

// Publish sends e to the subscribers of e.UserID, in every process, and returns once Redis has
// accepted it. EUNAVAILABLE when Redis cannot be reached or the bus is closed; ECANCELED, wrapping
// ctx's error, when ctx ends first.
func (b *Bus) Publish(ctx context.Context, e coach.Event) error {
	if !b.constructed() {
		return errNotConstructed
	}
	if err := ctx.Err(); err != nil {
		return formatError("publish", err)
	}
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return errBusClosed()
	}
	payload, err := encodeEvent(e)
	if err != nil {
		return err
	}
	if err := b.client.Publish(ctx, b.Channel(e.UserID), payload).Err(); err != nil {
		return formatError("publish", err)
	}
	return nil
}

// maxPipeline bounds the PUBLISHes PublishBatch sends in one pipeline.
const maxPipeline = 1000

// PublishBatch sends events in their order, pipelined (one round trip for up to a thousand), and
// returns once Redis has accepted every one; an event of a user reaches that user's subscribers
// after the user's earlier ones. EINVALID (before anything is sent) for an event that cannot be
// encoded; EUNAVAILABLE when Redis cannot be reached or the bus is closed, after which some of the
// events may have been published; ECANCELED, wrapping ctx's error, when ctx ends first.
func (b *Bus) PublishBatch(ctx context.Context, events []coach.Event) error {
	if !b.constructed() {
		return errNotConstructed
	}
	if err := ctx.Err(); err != nil {
		return formatError("publish", err)
	}
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return errBusClosed()
	}
	payloads := make([][]byte, len(events))
	for i, e := range events {
		var err error
		if payloads[i], err = encodeEvent(e); err != nil {
			return err
		}
	}
	for from := 0; from < len(events); from += maxPipeline {
		to := min(from+maxPipeline, len(events))
		cmds, err := b.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for i := from; i < to; i++ {
				p.Publish(ctx, b.Channel(events[i].UserID), payloads[i])
			}
			return nil
		})
		if err == nil {
			for _, c := range cmds {
				if err = c.Err(); err != nil {
					break
				}
			}
		}
		if err != nil {
			return formatError("publish", err)
		}
	}
	return nil
}

// Subscribe starts receiving userID's events and returns once Redis confirmed the subscription:
// every event published afterwards reaches it, until it is closed, overflows or the connection
// drops. EUNAVAILABLE when Redis cannot be reached or the bus is closed; ECANCELED, wrapping
// ctx's error, when ctx ends first.
func (b *Bus) Subscribe(ctx context.Context, userID string) (transport.Subscription, error) {
	if !b.constructed() {
		return nil, errNotConstructed
	}
	if err := ctx.Err(); err != nil {
		return nil, formatError("subscribe", err)
	}
	if userID == "" {
		return nil, coach.Errorf(coach.EINVALID, "userId: required")
	}
	channel := b.Channel(userID)

	b.ctl.Lock()
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.ctl.Unlock()
		return nil, errBusClosed()
	}
	l := b.link
	if l == nil {
		l = b.openLocked()
	}
	s := &subscription{bus: b, link: l, ch: make(chan coach.Event, b.buffer)}
	t, write := l.joinLocked(channel, s)
	b.mu.Unlock()
	if write {
		// The SUBSCRIBE is written (dialling the connection first if needed) by a goroutine that
		// holds ctl until it is done, so that SUBSCRIBE and UNSUBSCRIBE reach Redis in the order
		// the bus decided them, while this call still returns as soon as ctx ends. It does not
		// use ctx: a write abandoned half way would break the connection of every subscription;
		// the client's dial and write timeouts bound it. A failed write ends the link.
		go func() {
			defer b.ctl.Unlock()
			if err := l.ps.Subscribe(context.Background(), channel); err != nil {
				l.end(coach.Errorf(coach.EUNAVAILABLE, "redis: subscribe: server unavailable"))
			}
		}()
	} else {
		b.ctl.Unlock()
	}

	select {
	case <-t.ready:
		return s, nil
	case <-l.dead:
		return nil, l.err
	case <-ctx.Done():
		// Close waits for ctl, which the write above may hold a while.
		go func() { _ = s.Close() }()
		return nil, formatError("subscribe", ctx.Err())
	}
}

// Close ends every subscription with EUNAVAILABLE, closes the subscriber connection and waits
// for its reader to stop; Publish and Subscribe then fail with EUNAVAILABLE. It is safe to call
// more than once. The client is left open.
func (b *Bus) Close() error {
	if !b.constructed() {
		return errNotConstructed
	}
	b.ctl.Lock()
	b.mu.Lock()
	b.closed = true
	l := b.link
	b.mu.Unlock()
	b.ctl.Unlock()
	if l != nil {
		l.end(errBusClosed())
		l.wg.Wait()
	}
	return nil
}

// openLocked starts a new subscriber connection and makes it the bus's; b.ctl and b.mu must be
// held. go-redis dials it lazily, on the first SUBSCRIBE or read.
func (b *Bus) openLocked() *link {
	l := &link{
		bus:    b,
		ps:     b.client.Subscribe(context.Background()),
		topics: make(map[string]*topic),
		expect: make(map[string]int),
		dead:   make(chan struct{}),
	}
	l.touch()
	b.link = l
	l.wg.Add(2)
	go l.read()
	go l.checkHealth()
	return l
}

// leave ends s with err (nil for Close) unless it has ended already, and removes it from its
// topic. When s was its topic's last subscription the channel is unsubscribed, and when it was
// the connection's last the connection is closed.
func (b *Bus) leave(s *subscription, err error) {
	b.ctl.Lock()
	defer b.ctl.Unlock()
	b.mu.Lock()
	if !s.done {
		s.endLocked(err)
	}
	l := s.link
	unsubscribe, last := l.dropLocked(s)
	if last && b.link == l {
		b.link = nil
	}
	b.mu.Unlock()
	switch {
	case last:
		l.end(nil)
	case unsubscribe != "":
		if err := l.ps.Unsubscribe(context.Background(), unsubscribe); err != nil {
			l.end(coach.Errorf(coach.EUNAVAILABLE, "redis: event subscription lost: unsubscribe failed"))
		}
	}
}
