package redis

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
)

// link is one subscriber connection of a Bus: a go-redis PubSub, the goroutine that reads it,
// the goroutine that pings it, and the topics (subscribed channels) it carries. A link never
// outlives its connection: when the connection drops, the link ends every subscription on it
// and the bus opens a new link for the next Subscribe.
type link struct {
	bus  *Bus
	ps   *goredis.PubSub
	wg   sync.WaitGroup // read and checkHealth
	dead chan struct{}  // closed when the link has ended
	seen atomic.Int64   // UnixNano of the last reply read from the connection

	// Guarded by bus.mu.
	topics map[string]*topic // by channel
	// expect counts, by channel, the subscribe confirmations still to be read for SUBSCRIBEs the
	// bus wrote. A confirmation not expected means go-redis resubscribed on a new connection.
	expect map[string]int
	ended  bool
	err    error // why the link ended (non-nil once ended)
}

// topic is a subscribed channel of a link and the subscriptions it feeds.
type topic struct {
	channel string
	subs    map[*subscription]struct{}
	ready   chan struct{} // closed when Redis confirmed the SUBSCRIBE: the topic is live
	live    bool
}

// errLost is the error of every subscription of a link whose connection was lost.
func errLost(why string) error {
	return coach.Errorf(coach.EUNAVAILABLE, "redis: event subscription lost (%s); resubscribe and replay", why)
}

// joinLocked adds s to the topic of channel, creating the topic if needed; write tells the caller
// to write the SUBSCRIBE (with bus.ctl still held). bus.ctl and bus.mu must be held.
func (l *link) joinLocked(channel string, s *subscription) (t *topic, write bool) {
	t = l.topics[channel]
	if t == nil {
		l.expect[channel]++
		t = &topic{channel: channel, subs: make(map[*subscription]struct{}), ready: make(chan struct{})}
		l.topics[channel] = t
		write = true
	}
	t.subs[s] = struct{}{}
	s.topic = t
	return t, write
}

// dropLocked removes s from its topic. When that leaves the topic empty it is removed too, and
// dropLocked returns its channel to unsubscribe, or last when the link carries no topic any
// more (the caller closes the connection instead). bus.ctl and bus.mu must be held.
func (l *link) dropLocked(s *subscription) (unsubscribe string, last bool) {
	t := s.topic
	delete(t.subs, s)
	if l.ended || len(t.subs) > 0 || l.topics[t.channel] != t {
		return "", false
	}
	delete(l.topics, t.channel)
	if len(l.topics) == 0 {
		return "", true
	}
	return t.channel, false
}

// confirm records Redis's confirmation of a SUBSCRIBE to channel, making its topic live once
// every SUBSCRIBE written for it has been confirmed. It reports false for a confirmation the bus
// did not ask for.
func (l *link) confirm(channel string) bool {
	l.bus.mu.Lock()
	defer l.bus.mu.Unlock()
	if l.ended {
		return true
	}
	n := l.expect[channel]
	if n == 0 {
		return false
	}
	if n > 1 {
		l.expect[channel] = n - 1
		return true
	}
	delete(l.expect, channel)
	if t := l.topics[channel]; t != nil && !t.live {
		t.live = true
		close(t.ready)
	}
	return true
}

// deliver hands a message to the subscriptions of its channel without blocking; one whose buffer
// is full is ended as too slow. A message that is not an event of the channel's user is dropped.
func (l *link) deliver(m *goredis.Message) {
	e, err := decodeEvent(m.Payload, strings.TrimPrefix(m.Channel, l.bus.prefix))
	if err != nil {
		return
	}
	var slow []*subscription
	l.bus.mu.Lock()
	if t := l.topics[m.Channel]; t != nil {
		for s := range t.subs {
			select {
			case s.ch <- e:
			default:
				s.endLocked(coach.Errorf(coach.EUNAVAILABLE,
					"subscriber too slow: more than %d events behind; resubscribe and replay", l.bus.buffer))
				delete(t.subs, s)
				slow = append(slow, s)
			}
		}
	}
	l.bus.mu.Unlock()
	for _, s := range slow {
		l.bus.leave(s, nil) // already ended and out of its topic: tidies the topic up
	}
}

// read reads the connection until the link ends. Any read error ends the link: go-redis would
// reconnect and resubscribe on its own, silently losing what was published in between.
func (l *link) read() {
	defer l.wg.Done()
	for {
		msg, err := l.ps.Receive(context.Background())
		if err != nil {
			l.end(errLost("connection dropped"))
			return
		}
		l.touch()
		switch m := msg.(type) {
		case *goredis.Subscription:
			if m.Kind == "subscribe" && !l.confirm(m.Channel) {
				l.end(errLost("connection re-established"))
				return
			}
		case *goredis.Message:
			l.deliver(m)
		}
	}
}

// checkHealth pings the connection every health-check interval and ends the link when a ping
// fails or the previous one got no answer: a connection can die without a read error (a
// half-open TCP connection after a network failure).
func (l *link) checkHealth() {
	defer l.wg.Done()
	tick := time.NewTicker(l.bus.health)
	defer tick.Stop()
	var pinged int64
	for {
		select {
		case <-l.dead:
			return
		case <-tick.C:
		}
		if pinged != 0 && l.seen.Load() < pinged {
			l.end(errLost("health check unanswered"))
			return
		}
		pinged = time.Now().UnixNano()
		ctx, cancel := context.WithTimeout(context.Background(), l.bus.health)
		err := l.ps.Ping(ctx)
		cancel()
		if err != nil {
			l.end(errLost("health check failed"))
			return
		}
	}
}

// touch records that the connection answered.
func (l *link) touch() { l.seen.Store(time.Now().UnixNano()) }

// end ends the link with err (nil when it is closed for want of subscriptions): every
// subscription on it ends with err, a Subscribe waiting on it fails with err, and the
// connection is closed. Only the first call does anything.
func (l *link) end(err error) {
	if err == nil {
		err = coach.Errorf(coach.EUNAVAILABLE, "redis: event subscription closed")
	}
	b := l.bus
	b.mu.Lock()
	if l.ended {
		b.mu.Unlock()
		return
	}
	l.ended, l.err = true, err
	for _, t := range l.topics {
		for s := range t.subs {
			if !s.done {
				s.endLocked(err)
			}
		}
	}
	l.topics, l.expect = nil, nil
	if b.link == l {
		b.link = nil
	}
	close(l.dead)
	b.mu.Unlock()
	_ = l.ps.Close()
}
