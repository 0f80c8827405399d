package ws

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport"
)

// conn is one client connection. Its goroutines: the handler's, which replays and then writes
// (the only one writing events, so ids go out in order); a reader, which answers client frames;
// a pump, which moves live events from the bus into the bounded queue, pings and notices
// shutdown; and a short-lived pinger. Whoever first decides the connection is over calls close.
type conn struct {
	relay  *Relay
	userID string
	ws     *websocket.Conn // set by Relay.attach

	ctx    context.Context // ends when the connection starts closing
	cancel context.CancelFunc
	q      queue
	pong   chan struct{} // a pong is owed (capacity 1)

	closing atomic.Bool
	pinging atomic.Bool
	bg      sync.WaitGroup // reader, pump, pinger
}

func newConn(r *Relay, userID string) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	return &conn{relay: r, userID: userID, ctx: ctx, cancel: cancel,
		q: queue{max: r.cfg.QueueSize, ready: make(chan struct{}, 1)}, pong: make(chan struct{}, 1)}
}

// serve runs the connection: subscribe, replay after last, then live events until it closes.
func (c *conn) serve(last string) {
	defer c.finish()
	c.ws.SetReadLimit(c.relay.cfg.ReadLimit)
	cursor := last
	if last == "" {
		// A fresh connection starts at live events. Its cursor (for resuming) lies ClockSkew in the
		// past and is taken before subscribing, so a resume from it can repeat but never skip.
		cursor = coach.EventIDAt(c.relay.cfg.Clock.Now().Add(-c.relay.cfg.ClockSkew))
	}
	sub, err := c.relay.cfg.Bus.Subscribe(c.ctx, c.userID)
	if err != nil {
		c.fail("subscribe", err)
		return
	}
	defer sub.Close()
	c.bg.Add(2)
	go c.read()
	go c.pump(sub)

	if last == "" {
		// Asked after subscribing: an event committed later has a larger id and reaches the
		// subscription, so resuming from the newest id skips nothing, and that cursor is never
		// beyond the newest event, which a resume must not be.
		newest, err := c.relay.cfg.Replayer.Newest(c.ctx, c.userID)
		switch {
		case err == nil:
			cursor = strings.ToUpper(newest)
		case coach.ErrorCode(err) != coach.ENOTFOUND:
			c.fail("newest", err)
			return
		}
	}
	sent := last
	if last != "" {
		if sent, err = c.replay(last); err != nil {
			return
		}
		cursor = sent
	}
	if !c.write(readyFrame(cursor)) {
		return
	}
	c.live(sent)
}

// replay writes the user's stored events after after, page by page, and returns the last id
// written. On a Replayer error it closes the connection (after a gone frame for EGONE).
func (c *conn) replay(after string) (string, error) {
	for {
		page, err := c.relay.cfg.Replayer.Since(c.ctx, c.userID, after, c.relay.cfg.PageSize)
		if err != nil {
			if coach.ErrorCode(err) == coach.EGONE && c.ctx.Err() == nil {
				c.write(goneFrame)
				c.close(CloseGone, "gone, reload")
			} else {
				c.fail("replay", err)
			}
			return after, err
		}
		progressed := false
		for _, e := range page {
			if e.ID <= after {
				continue // a Replayer that repeats itself (an inclusive since)
			}
			if !c.writeEvent(e) {
				return after, errClosed
			}
			after, progressed = e.ID, true
		}
		if !progressed { // an empty page, or nothing new: the replay is done
			return after, nil
		}
	}
}

var errClosed = errors.New("ws: connection closed")

// live writes queued bus events above sent until the connection closes. Events at or below sent
// were already replayed (or are at-least-once repeats) and are dropped.
func (c *conn) live(sent string) {
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.pong:
			if !c.write(pongFrame) {
				return
			}
		case <-c.q.ready:
			for {
				e, ok := c.q.pop()
				if !ok {
					break
				}
				if e.ID <= sent {
					continue
				}
				if !c.writeEvent(e) {
					return
				}
				sent = e.ID
			}
		}
	}
}

// pump moves live events into the queue, closing with CloseTooSlow when it overflows or the bus
// gives up on the subscription, pings the peer, and closes with 1001 when the relay shuts down.
func (c *conn) pump(sub transport.Subscription) {
	defer c.bg.Done()
	ping := time.NewTicker(c.relay.cfg.PingInterval)
	defer ping.Stop()
	for {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				if sub.Err() != nil {
					c.relay.cfg.Metrics.Count(coach.MetricRelayDrops, 1, "reason", "slow_consumer")
					c.close(CloseTooSlow, "too slow, resume")
				}
				return
			}
			if !c.q.push(e) {
				c.relay.cfg.Metrics.Count(coach.MetricRelayDrops, 1, "reason", "slow_consumer")
				c.close(CloseTooSlow, "too slow, resume")
				return
			}
		case <-ping.C:
			c.ping()
		case <-c.relay.done:
			c.close(websocket.StatusGoingAway, "going away")
			return
		case <-c.ctx.Done():
			return
		}
	}
}

// ping checks, without blocking the pump, that the peer answers; one that does not within
// PingTimeout is dropped.
func (c *conn) ping() {
	if !c.pinging.CompareAndSwap(false, true) {
		return
	}
	c.bg.Add(1)
	go func() {
		defer c.bg.Done()
		defer c.pinging.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), c.relay.cfg.PingTimeout)
		defer cancel()
		if err := c.ws.Ping(ctx); err != nil && c.ctx.Err() == nil {
			c.close(0, "ping timeout")
		}
	}()
}

// read reads client frames: a ping owes a pong, unknown types are ignored, anything malformed
// closes the connection with 1008 (an oversized frame was already closed with 1009).
func (c *conn) read() {
	defer c.bg.Done()
	for {
		typ, b, err := c.ws.Read(context.Background())
		switch {
		case errors.Is(err, websocket.ErrMessageTooBig):
			c.close(websocket.StatusMessageTooBig, "frame too big")
			return
		case err != nil:
			c.close(0, "peer gone")
			return
		case typ != websocket.MessageText:
			c.close(websocket.StatusPolicyViolation, "binary frames are not accepted")
			return
		}
		f, err := ParseClientFrame(b)
		if err != nil {
			c.close(websocket.StatusPolicyViolation, "malformed frame")
			return
		}
		if f.Type == FramePing {
			select {
			case c.pong <- struct{}{}:
			default:
			}
		}
	}
}

// writeEvent writes e's envelope. An event that cannot be encoded is logged and skipped (it
// would fail again on every resume).
func (c *conn) writeEvent(e coach.Event) bool {
	b, err := json.Marshal(e.Envelope())
	if err != nil {
		c.relay.cfg.Logger.Error("ws relay: event cannot be encoded; skipped", "eventId", e.ID, "type", e.Type, "err", err)
		return true
	}
	return c.write(b)
}

// write writes one text frame and reports whether the connection is still usable. Writes use no
// deadline: a peer that stops reading fails its next ping, which drops the connection and ends
// the write.
func (c *conn) write(b []byte) bool {
	if c.ctx.Err() != nil {
		return false
	}
	if err := c.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
		c.close(0, "write failed")
		return false
	}
	return true
}

// fail closes the connection after an error of a dependency (the bus or the Replayer).
func (c *conn) fail(op string, err error) {
	if c.ctx.Err() != nil {
		return
	}
	switch coach.ErrorCode(err) {
	case coach.EINVALID:
		c.close(websocket.StatusPolicyViolation, "invalid lastEventId")
	case coach.EUNAVAILABLE, coach.ERETRYABLE, coach.ECANCELED:
		// A dependency down, a transaction that lost a race, a dependency's own deadline: the
		// client should come back, and none of these is a fault to log.
		c.close(websocket.StatusTryAgainLater, "try again later")
	default:
		c.relay.cfg.Logger.Error("ws relay: "+op+" failed", "err", err)
		c.close(websocket.StatusInternalError, "internal error")
	}
}

// close starts closing the connection, once: it ends c.ctx, tells OnClose and sends a close frame
// with code, or drops the connection when code is 0.
func (c *conn) close(code websocket.StatusCode, reason string) {
	if c.closing.Swap(true) {
		return
	}
	c.cancel()
	if f := c.relay.cfg.OnClose; f != nil {
		f(c.userID, int(code), reason)
	}
	// A failed close handshake leaves nothing to do: the connection is gone either way.
	if code == 0 {
		_ = c.ws.CloseNow()
		return
	}
	_ = c.ws.Close(code, reason)
}

// drop ends the connection without a handshake (Relay.Close).
func (c *conn) drop() { c.close(0, "relay closed") }

// finish makes sure the connection is closed and waits for its goroutines.
func (c *conn) finish() {
	c.close(0, "done")
	c.bg.Wait()
}
