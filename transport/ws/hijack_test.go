package ws_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/ws"
)

// TestFrameSentWithTheHandshakeIsRead: a client that sends a ping frame in the same write as its
// handshake (so that the server has read it with the request) gets the ready frame and the pong:
// the bytes net/http read ahead survive the change to the connection's own small buffers.
func TestFrameSentWithTheHandshakeIsRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t, memory.New(), nil)
	_, srv := e.relay(t, ws.RelayConfig{})
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.SetDeadline(time.Now().Add(hang)))
	handshake := "GET " + ws.Path + " HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
		"Authorization: Bearer " + coach.NewID() + "\r\n\r\n"
	_, err = c.Write(append([]byte(handshake), maskedText(`{"type":"ping"}`)...))
	must(err)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	must(err)
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake answered %s", resp.Status)
	}
	var got []string
	for range 2 {
		f, err := ws.ParseServerFrame(readServerFrame(t, br))
		must(err)
		got = append(got, f.Type)
	}
	if strings.Join(got, " ") != ws.FrameReady+" "+ws.FramePong {
		t.Errorf("frames %q, want ready then pong", got)
	}
}

// TestEventLargerThanTheWriteBufferArrivesWhole: events of several KiB (more than the connection's
// write buffer) reach the client intact, in order.
func TestEventLargerThanTheWriteBufferArrivesWhole(t *testing.T) {
	t.Parallel()
	e := newEnv(t, memory.New(), nil)
	_, srv := e.relay(t, ws.RelayConfig{})
	user := coach.NewID()
	ids := e.appendEvents(t, user, 0, 3, 3<<10)
	c := mustDialRaw(t, srv, user, coach.EventIDAt(time.Unix(0, 0)))
	got, _ := readUntilReady(t, c)
	if strings.Join(got, " ") != strings.Join(ids, " ") {
		t.Errorf("replayed %v, want %v", got, ids)
	}
	live := e.appendEvents(t, user, 3, 3, 5<<10)
	if got := readEvents(t, c, 3); strings.Join(got, " ") != strings.Join(live, " ") {
		t.Errorf("live %v, want %v", got, live)
	}
}

// maskedText is a client's text frame (masked, as clients must) holding s (under 126 bytes).
func maskedText(s string) []byte {
	key := [4]byte{1, 2, 3, 4}
	b := []byte{0x81, 0x80 | byte(len(s)), key[0], key[1], key[2], key[3]}
	for i := range len(s) {
		b = append(b, s[i]^key[i%4])
	}
	return b
}

// readServerFrame reads one unfragmented, unmasked server frame and returns its payload.
func readServerFrame(t *testing.T, r io.Reader) []byte {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		t.Fatal(err)
	}
	if h[0] != 0x81 {
		t.Fatalf("frame header %#x: not a final text frame", h[0])
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			t.Fatal(err)
		}
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			t.Fatal(err)
		}
		n = binary.BigEndian.Uint64(l[:])
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServeHTTPReturnsAndTheConnectionLivesOn: the handler returns once the connection is
// upgraded (net/http's goroutine and request are let go), and the connection still streams live
// events and answers pings; Close ends it.
func TestServeHTTPReturnsAndTheConnectionLivesOn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, memory.New(), nil)
	relay, err := ws.NewRelay(ws.RelayConfig{Bus: e.bus, Replayer: e.store.Events(), Authenticate: bearer, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	returned := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		relay.ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	t.Cleanup(func() { relay.Close(); srv.Close() })
	user := coach.NewID()
	c := mustDialRaw(t, srv, user, "")
	readUntilReady(t, c)
	waitSignal(t, returned, "ServeHTTP to return")
	if relay.Conns() != 1 {
		t.Fatalf("the relay holds %d connections after ServeHTTP returned, want 1", relay.Conns())
	}
	ids := e.appendEvents(t, user, 0, 2, 0)
	if got := readEvents(t, c, 2); strings.Join(got, " ") != strings.Join(ids, " ") {
		t.Errorf("live %v, want %v", got, ids)
	}
	expectNothingMore(t, c)
	if err := relay.Close(); err != nil {
		t.Fatal(err)
	}
	if relay.Conns() != 0 {
		t.Errorf("the relay holds %d connections after Close", relay.Conns())
	}
}
