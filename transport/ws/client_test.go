package ws_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/ws"
)

// fakeRelay plays one script per connection and records each handshake's lastEventId.
type fakeRelay struct {
	t       *testing.T
	scripts [][]any // frames (marshalled to JSON) or a websocket.StatusCode to close with

	mu    sync.Mutex
	calls int
	lasts []string
}

func (f *fakeRelay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	i := f.calls
	f.calls++
	f.lasts = append(f.lasts, r.URL.Query().Get("lastEventId"))
	f.mu.Unlock()
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	if i >= len(f.scripts) {
		c.CloseRead(context.Background())
		<-r.Context().Done() // hold the last connection until the test ends
		return
	}
	ctx := context.Background()
	for _, step := range f.scripts[i] {
		if code, ok := step.(websocket.StatusCode); ok {
			c.Close(code, "scripted")
			return
		}
		b, _ := json.Marshal(step)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			return
		}
	}
	c.Close(websocket.StatusGoingAway, "script done")
}

func (f *fakeRelay) handshakes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.lasts...)
}

func ids(n int) []string {
	out := make([]string, n)
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = coach.EventIDAt(base.Add(time.Duration(i) * time.Millisecond))
	}
	return out
}

func ev(id string) ws.ServerFrame {
	return ws.ServerFrame{Type: coach.EventCoachReflect, EventID: id, TS: time.Now().UTC(), V: 1, Payload: json.RawMessage(`{"seq":0}`)}
}

func ready(id string) ws.ServerFrame { return ws.ServerFrame{Type: ws.FrameReady, LastEventID: id} }

// The client resumes from the last event it delivered and delivers each event once, in order,
// whatever a relay repeats across connections.
func TestClientResumesFromItsLastEventAndDedupes(t *testing.T) {
	t.Parallel()
	id := ids(8)
	fake := &fakeRelay{t: t, scripts: [][]any{
		{ready(id[0]), ev(id[1]), ev(id[2]), ev(id[3]), websocket.StatusCode(ws.CloseTooSlow)},
		{ev(id[2]), ev(id[3]), ev(id[4]), ready(id[4]), ev(id[4]), ev(id[5])}, // then a restart
		{ready(id[5]), ev(id[1]), ev(id[6]), ev(id[7])},
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	col := newCollector()
	cl := newClient(t, ws.ClientConfig{URL: srv.URL + "/ws/coach?tenant=a"})
	r := run(cl, col.handle)
	col.waitFor(t, 7)
	r.stop(t)
	got, _, bad := col.snapshot()
	if diff := cmp.Diff(id[1:], got); diff != "" || len(bad) > 0 {
		t.Fatalf("delivered (-want +got):\n%s\nout of order: %v", diff, bad)
	}
	if diff := cmp.Diff([]string{"", id[3], id[5]}, fake.handshakes()[:3]); diff != "" {
		t.Fatalf("lastEventId per handshake (-want +got):\n%s", diff)
	}
}

// A client that has delivered nothing resumes from the cursor of the ready frame.
func TestClientWithoutEventsResumesFromTheReadyCursor(t *testing.T) {
	t.Parallel()
	id := ids(3)
	fake := &fakeRelay{t: t, scripts: [][]any{
		{ready(id[0]), websocket.StatusGoingAway},
		{ready(id[0]), ev(id[1])},
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	col := newCollector()
	r := run(newClient(t, ws.ClientConfig{URL: srv.URL}), col.handle)
	col.waitFor(t, 1)
	r.stop(t)
	if diff := cmp.Diff([]string{"", id[0]}, fake.handshakes()[:2]); diff != "" {
		t.Fatalf("lastEventId per handshake (-want +got):\n%s", diff)
	}
}

func TestClientStopsAtTheHandlersErrorAndOffersTheEventAgain(t *testing.T) {
	t.Parallel()
	id := ids(3)
	fake := &fakeRelay{t: t, scripts: [][]any{
		{ready(id[0]), ev(id[1]), ev(id[2])},
		{ready(id[1]), ev(id[2])},
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cl := newClient(t, ws.ClientConfig{URL: srv.URL})
	errFull := errors.New("disk full")
	err := run(cl, func(_ context.Context, e coach.Envelope) error {
		if e.EventID == id[2] {
			return errFull
		}
		return nil
	}).wait(t)
	if err != errFull || cl.LastEventID() != id[1] {
		t.Fatalf("Run = %v with LastEventID %s; want the handler's error at %s", err, cl.LastEventID(), id[1])
	}
	col := newCollector()
	r := run(cl, col.handle)
	col.waitFor(t, 1)
	r.stop(t)
	if got, _, _ := col.snapshot(); !cmp.Equal(got, id[2:]) {
		t.Fatalf("second Run delivered %v, want %v", got, id[2:])
	}
}

func TestClientGivesUpOnGoneAndPolicyViolation(t *testing.T) {
	t.Parallel()
	id := ids(2)
	for _, tc := range []struct {
		name   string
		script []any
		want   coach.Code
	}{
		{"GoneFrame", []any{ws.ServerFrame{Type: ws.FrameGone, Reason: ws.ReasonReload}, websocket.StatusCode(ws.CloseGone)}, coach.EGONE},
		{"GoneCode", []any{websocket.StatusCode(ws.CloseGone)}, coach.EGONE},
		{"PolicyViolation", []any{ready(id[0]), websocket.StatusPolicyViolation}, coach.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(&fakeRelay{t: t, scripts: [][]any{tc.script}})
			defer srv.Close()
			err := run(newClient(t, ws.ClientConfig{URL: srv.URL, LastEventID: id[1]}), newCollector().handle).wait(t)
			if coach.ErrorCode(err) != tc.want {
				t.Fatalf("Run = %v, want %s", err, tc.want)
			}
		})
	}
}

// A relay that sends garbage is treated as broken: the client drops the connection and retries,
// delivering nothing malformed.
func TestClientRetriesAfterAMalformedFrame(t *testing.T) {
	t.Parallel()
	id := ids(2)
	fake := &fakeRelay{t: t, scripts: [][]any{
		{ready(id[0]), map[string]any{"type": "coach.reflect", "eventId": "not-a-ulid", "v": 1, "payload": map[string]any{}}},
		{ready(id[0]), ev(id[1])},
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	col := newCollector()
	r := run(newClient(t, ws.ClientConfig{URL: srv.URL}), col.handle)
	col.waitFor(t, 1)
	r.stop(t)
	if got, _, _ := col.snapshot(); !cmp.Equal(got, id[1:]) {
		t.Fatalf("delivered %v, want %v", got, id[1:])
	}
}

// A relay that goes silent (no frames, no pings) is dropped after IdleTimeout and redialled.
func TestClientDropsASilentRelay(t *testing.T) {
	t.Parallel()
	id := ids(2)
	silent := make(chan struct{})
	var once sync.Once
	mux := http.NewServeMux()
	fake := &fakeRelay{t: t, scripts: [][]any{{ready(id[0]), ev(id[1])}}}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		first := false
		once.Do(func() { first = true })
		if !first {
			fake.ServeHTTP(w, r)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		select { // says nothing and never reads (so never answers pings)
		case <-silent:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(silent)
	col := newCollector()
	r := run(newClient(t, ws.ClientConfig{URL: srv.URL, IdleTimeout: 50 * time.Millisecond}), col.handle)
	col.waitFor(t, 1)
	r.stop(t)
}
