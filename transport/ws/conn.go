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

// conn is one client connection. While it is idle it has two goroutines: the reader, blocked in
// Read (coder/websocket answers control frames only while someone reads, and a read notices a
// peer that left), and the pump, which waits for live events from the bus, the relay's shutdown
// and the connection's end. A writer goroutine runs only while there is something to write: the
// replay and the ready frame first, then queued live events and owed pongs; it ends when the
// queue is empty and the next push starts another, so one writer at most runs and ids go out in
// order. The server's pings are a timer whose callback pings and re-arms it. Whoever first
// decides the connection is over calls close.
type conn struct {
	relay  *Relay
	userID string
	ws     *websocket.Conn // set by Relay.attach

	ctx    context.Context // ends when the connection starts closing
	cancel context.CancelFunc
	q      queue
	sent   string // the last event id written; only the running writer uses it

	closing atomic.Bool
	bg      sync.WaitGroup // reader, writer, ping callback

	pingMu   sync.Mutex
	pinger   *time.Timer
	unpinged bool // finish stopped the pings
}

func newConn(r *Relay, userID string) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	// The first writer is the replay's, started by serve: live events queue behind it.
	return &conn{relay: r, userID: userID, ctx: ctx, cancel: cancel, q: queue{max: r.cfg.QueueSize, writing: true}}
}

// serve runs the connection until it closes: it subscribes, starts the reader, the replay (the
// first writer) and the pings, and pumps live events into the queue.
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
	go c.start(last, cursor)
	c.pingMu.Lock()
	c.pinger = time.AfterFunc(c.relay.cfg.PingInterval, c.ping)
	c.pingMu.Unlock()
	c.pump(sub)
}

// start is the first writer: it replays after last (or, on a fresh connection, finds the cursor
// to announce), writes the ready frame and goes on writing queued live events.
func (c *conn) start(last, cursor string) {
	defer c.bg.Done()
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
	c.sent = last
	if last != "" {
		sent, err := c.replay(last)
		if err != nil {
			return
		}
		c.sent, cursor = sent, sent
	}
	if !c.write(readyFrame(cursor)) {
		return
	}
	c.drain()
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

// writer is a writer started by a push or an owed pong.
func (c *conn) writer() {
	defer c.bg.Done()
	c.drain()
}

// drain writes owed pongs and queued live events above c.sent until the queue is empty (the
// writer then stops) or the connection fails (the queue then keeps its writer, so none starts
// again). Events at or below c.sent were already replayed (or are at-least-once repeats) and are
// dropped.
func (c *conn) drain() {
	for {
		e, pong, ok := c.q.next()
		switch {
		case !ok:
			return
		case pong:
			if !c.write(pongFrame) {
				return
			}
		case e.ID <= c.sent:
		default:
			if !c.writeEvent(e) {
				return
			}
			c.sent = e.ID
			// A live event: its delay since the commit that stamped it is the delivery objective's.
			c.relay.cfg.Metrics.Observe(coach.MetricRelayDelivery, c.relay.cfg.Clock.Now().Sub(e.TS))
		}
	}
}

// startWriter starts a writer; the queue has made the caller (the pump or the reader, both
// before finish waits) responsible for it.
func (c *conn) startWriter() {
	c.bg.Add(1)
	go c.writer()
}

// pump moves live events into the queue, closing with CloseTooSlow when it overflows or the bus
// gives up on the subscription, and closes with 1001 when the relay shuts down. It returns when
// the connection closes.
func (c *conn) pump(sub transport.Subscription) {
	events := sub.Events()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				if sub.Err() != nil {
					c.relay.cfg.Metrics.Count(coach.MetricRelayDrops, 1, "reason", "slow_consumer")
					c.close(CloseTooSlow, "too slow, resume")
					return
				}
				events = nil // closed without an error: no more live events, the connection stays
				continue
			}
			ok, start := c.q.push(e)
			if !ok {
				c.relay.cfg.Metrics.Count(coach.MetricRelayDrops, 1, "reason", "slow_consumer")
				c.close(CloseTooSlow, "too slow, resume")
				return
			}
			if start {
				c.startWriter()
			}
		case <-c.relay.done:
			c.close(websocket.StatusGoingAway, "going away")
			return
		case <-c.ctx.Done():
			return
		}
	}
}

// ping is the ping timer's callback: it checks that the peer answers within PingTimeout (one that
// does not is dropped) and sets the timer again. It runs only while a ping is in flight.
func (c *conn) ping() {
	c.pingMu.Lock()
	if c.unpinged {
		c.pingMu.Unlock()
		return
	}
	c.bg.Add(1)
	c.pingMu.Unlock()
	defer c.bg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), c.relay.cfg.PingTimeout)
	err := c.ws.Ping(ctx)
	cancel()
	if err != nil {
		if c.ctx.Err() == nil {
			c.close(0, "ping timeout")
		}
		return
	}
	c.pingMu.Lock()
	if !c.unpinged {
		c.pinger.Reset(c.relay.cfg.PingInterval)
	}
	c.pingMu.Unlock()
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
		if f.Type == FramePing && c.q.owePong() {
			c.startWriter()
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

// finish makes sure the connection is closed, stops the pings and waits for its goroutines.
func (c *conn) finish() {
	c.close(0, "done")
	c.pingMu.Lock()
	c.unpinged = true
	if c.pinger != nil {
		c.pinger.Stop()
	}
	c.pingMu.Unlock()
	c.bg.Wait()
}
