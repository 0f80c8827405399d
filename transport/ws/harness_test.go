package ws_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport"
	transportmem "github.com/tradecoach/coach/transport/memory"
	"github.com/tradecoach/coach/transport/ws"
)

// hang bounds every wait for something that should happen; it is a deadline for a hang, not a
// performance assertion.
const hang = 30 * time.Second

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is one deployment's event path: a store, a bus, and a dispatcher moving the outbox to the
// bus until the test ends.
type env struct {
	store storage.Store
	bus   transport.Bus
	disp  *outbox.Dispatcher
}

func newEnv(t testing.TB, store storage.Store, bus transport.Bus) *env {
	t.Helper()
	if store == nil {
		store = memory.New()
	}
	if bus == nil {
		b := transportmem.NewBus(0)
		t.Cleanup(func() { b.Close() })
		bus = b
	}
	d, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: store, Bus: bus, Logger: quiet,
		PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &env{store: store, bus: bus, disp: d}
}

// bearer authenticates "Authorization: Bearer <userID>".
func bearer(r *http.Request) (string, error) {
	user, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || user == "" {
		return "", coach.Errorf(coach.EUNAUTHORIZED, "sign in first")
	}
	return user, nil
}

// relay starts a relay over e (cfg's Bus, Replayer and Authenticate default to e's and bearer)
// behind an httptest server with the relay at ws.Path.
func (e *env) relay(t testing.TB, cfg ws.RelayConfig) (*ws.Relay, *httptest.Server) {
	t.Helper()
	return e.relayOn(t, cfg, nil)
}

// relayOn is relay with the server's listener wrapped by wrap (when not nil).
func (e *env) relayOn(t testing.TB, cfg ws.RelayConfig, wrap func(net.Listener) net.Listener) (*ws.Relay, *httptest.Server) {
	t.Helper()
	if cfg.Bus == nil {
		cfg.Bus = e.bus
	}
	if cfg.Replayer == nil {
		cfg.Replayer = e.store.Events()
	}
	if cfg.Authenticate == nil {
		cfg.Authenticate = bearer
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	r, err := ws.NewRelay(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(ws.Path, r)
	srv := httptest.NewUnstartedServer(mux)
	if wrap != nil {
		srv.Listener = wrap(srv.Listener)
	}
	srv.Start()
	t.Cleanup(func() { r.Close(); srv.Close() })
	return r, srv
}

// appendEvents appends n events for user, one transaction each, and wakes the dispatcher. The
// payload is {"seq": from+i} plus pad bytes of padding.
func (e *env) appendEvents(t testing.TB, user string, from, n, pad int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := range n {
		ev, err := coach.NewEvent(user, coach.EventImportProgress, 1, payload{Seq: from + i, Pad: strings.Repeat("x", pad)})
		if err != nil {
			t.Error(err)
			return ids
		}
		got, err := e.store.Events().Append(context.Background(), ev)
		if err != nil {
			t.Error(err)
			return ids
		}
		ids = append(ids, got[0].ID)
		e.disp.Notify()
	}
	return ids
}

type payload struct {
	Seq        int    `json:"seq"`
	Writer     int    `json:"writer,omitempty"`
	RolledBack bool   `json:"rolledBack,omitempty"`
	Pad        string `json:"pad,omitempty"`
}

// stored returns the ids of every stored event of user, in id order.
func (e *env) stored(t testing.TB, user string) []string {
	t.Helper()
	var ids []string
	after := ""
	for {
		page, err := e.store.Events().Since(context.Background(), user, after, storage.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return ids
		}
		for _, ev := range page {
			ids = append(ids, ev.ID)
			after = ev.ID
		}
	}
}

func wsURL(srv *httptest.Server) string { return "ws" + strings.TrimPrefix(srv.URL, "http") + ws.Path }

func authHeader(user string) http.Header {
	return http.Header{"Authorization": {"Bearer " + user}}
}

// dialRaw opens a bare WebSocket to the relay, to look at exactly what goes over the wire.
func dialRaw(t testing.TB, srv *httptest.Server, user, last string, h http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	if h == nil {
		h = authHeader(user)
	}
	u := wsURL(srv)
	if last != "" {
		u += "?lastEventId=" + last
	}
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
	if c != nil {
		c.SetReadLimit(1 << 20)
		t.Cleanup(func() { c.CloseNow() })
	}
	return c, resp, err
}

func mustDialRaw(t testing.TB, srv *httptest.Server, user, last string) *websocket.Conn {
	t.Helper()
	c, _, err := dialRaw(t, srv, user, last, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	return c
}

// readFrame reads and parses one frame; the error is the read's (a close, with its code).
func readFrame(t testing.TB, c *websocket.Conn) (ws.ServerFrame, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err != nil {
		return ws.ServerFrame{}, err
	}
	if typ != websocket.MessageText {
		t.Fatalf("relay sent a %v frame", typ)
	}
	f, err := ws.ParseServerFrame(b)
	if err != nil {
		t.Fatalf("relay sent a bad frame %s: %v", b, err)
	}
	return f, nil
}

// readUntilReady reads event frames up to the ready frame and returns their ids and the ready
// frame's cursor.
func readUntilReady(t testing.TB, c *websocket.Conn) (ids []string, cursor string) {
	t.Helper()
	for {
		f, err := readFrame(t, c)
		if err != nil {
			t.Fatalf("read before ready: %v", err)
		}
		switch {
		case f.IsEvent():
			ids = append(ids, f.EventID)
		case f.Type == ws.FrameReady:
			return ids, f.LastEventID
		default:
			t.Fatalf("unexpected frame before ready: %+v", f)
		}
	}
}

// readEvents reads n event frames (failing on anything else).
func readEvents(t testing.TB, c *websocket.Conn, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for len(ids) < n {
		f, err := readFrame(t, c)
		if err != nil {
			t.Fatalf("after %d of %d events: %v", len(ids), n, err)
		}
		if !f.IsEvent() {
			t.Fatalf("unexpected frame %+v", f)
		}
		ids = append(ids, f.EventID)
	}
	return ids
}

// expectNothingMore sends a ping and fails if anything but the pong comes first: the relay writes
// in order, so an extra event would precede it.
func expectNothingMore(t testing.TB, c *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	f, err := readFrame(t, c)
	if err != nil || f.Type != ws.FramePong {
		t.Fatalf("want only a pong, got %+v, %v", f, err)
	}
}

// closeCode reads until the connection ends and returns its close code.
func closeCode(t testing.TB, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

// collector is a client handler that records what it is given, and checks the order as it goes.
type collector struct {
	mu       sync.Mutex
	ids      []string
	payloads []payload
	bad      []string
	changed  chan struct{}
}

func newCollector() *collector { return &collector{changed: make(chan struct{}, 1)} }

func (c *collector) handle(_ context.Context, e coach.Envelope) error {
	var p payload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return err
	}
	c.mu.Lock()
	if n := len(c.ids); n > 0 && e.EventID <= c.ids[n-1] {
		c.bad = append(c.bad, e.EventID)
	}
	c.ids = append(c.ids, e.EventID)
	c.payloads = append(c.payloads, p)
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
	return nil
}

func (c *collector) snapshot() ([]string, []payload, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ids...), append([]payload(nil), c.payloads...), append([]string(nil), c.bad...)
}

// waitFor waits until the collector holds at least n events.
func (c *collector) waitFor(t testing.TB, n int) {
	t.Helper()
	if got, ok := c.reached(n, hang); !ok {
		t.Fatalf("client received %d of %d events", got, n)
	}
}

// reached waits up to d for the collector to hold at least n events, and tells how many it holds.
func (c *collector) reached(n int, d time.Duration) (int, bool) {
	deadline := time.After(d)
	for {
		c.mu.Lock()
		got := len(c.ids)
		c.mu.Unlock()
		if got >= n {
			return got, true
		}
		select {
		case <-c.changed:
		case <-deadline:
			return got, false
		}
	}
}

// running is a Client.Run in the background.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func run(cl *ws.Client, handle func(context.Context, coach.Envelope) error) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- cl.Run(ctx, handle) }()
	return r
}

// stop cancels Run and returns its error, which should be context.Canceled.
func (r *running) stop(t testing.TB) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(hang):
		t.Fatal("Run did not return after cancel")
	}
}

// wait returns Run's own error.
func (r *running) wait(t testing.TB) error {
	t.Helper()
	select {
	case err := <-r.done:
		return err
	case <-time.After(hang):
		r.cancel()
		t.Fatal("Run did not return")
		return nil
	}
}

// signal returns a func that signals ch without blocking, and ch.
func signal() (func(), chan struct{}) {
	ch := make(chan struct{}, 1)
	return func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}, ch
}

func waitSignal(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(hang):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func newClient(t testing.TB, cfg ws.ClientConfig) *ws.Client {
	t.Helper()
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = 5 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 50 * time.Millisecond
	}
	cl, err := ws.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// waitUntil polls cond until it holds.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// smallSendBuffers makes the server's connections buffer little outgoing data, so that a client
// that stops reading backs up into the relay after a few hundred kilobytes.
func smallSendBuffers(l net.Listener) net.Listener { return smallSendBufferListener{l} }

type smallSendBufferListener struct{ net.Listener }

func (l smallSendBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(32 << 10)
	}
	return c, err
}
