package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/ws"
)

// wsFollower follows one user's events over the edge's /ws/coach as a browser does: it resumes
// after every dropped connection from the last event it received (lastEventId), and counts every
// event frame it is sent — no deduplication, so a repeat is seen.
type wsFollower struct {
	mu     sync.Mutex
	got    map[string]int // event id → frames received
	last   string         // the resume cursor: the last event received, or the first ready's
	ready  int            // connections that reached ready
	drops  int            // connections that ended
	reason string         // why the last one ended
}

// followEvents starts a follower of the user whose edge session header carries; it runs until
// the test ends.
func followEvents(t *testing.T, edgeURL string, header func() http.Header) *wsFollower {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &wsFollower{got: map[string]int{}}
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			err := f.session(ctx, edgeURL, header())
			f.mu.Lock()
			f.drops++
			if err != nil {
				f.reason = err.Error()
			}
			f.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	return f
}

// session is one connection, from the dial to its end.
func (f *wsFollower) session(ctx context.Context, edgeURL string, header http.Header) error {
	u := "ws" + strings.TrimPrefix(edgeURL, "http") + ws.Path
	f.mu.Lock()
	if f.last != "" {
		u += "?" + url.Values{"lastEventId": {f.last}}.Encode()
	}
	f.mu.Unlock()
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	c, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPHeader: header})
	cancel()
	if err != nil {
		return err
	}
	defer c.CloseNow()
	for {
		_, raw, err := c.Read(ctx)
		if err != nil {
			return err
		}
		fr, err := ws.ParseServerFrame(raw)
		if err != nil {
			return err
		}
		f.mu.Lock()
		switch {
		case fr.IsEvent():
			f.got[fr.EventID]++
			f.last = fr.EventID
		case fr.Type == ws.FrameReady:
			f.ready++
			if f.last == "" {
				f.last = fr.LastEventID
			}
		}
		f.mu.Unlock()
	}
}

// state returns how many connections reached ready and how many ended.
func (f *wsFollower) state() (ready, drops int, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ready, f.drops, f.reason
}

// compare checks the events received against want (the user's events in the store): how many
// of them were received, how many frames repeated one, and how many received events are not in
// want.
func (f *wsFollower) compare(want []coach.Event) (received, repeats, unknown int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := map[string]bool{}
	for _, e := range want {
		ids[e.ID] = true
		if n := f.got[e.ID]; n > 0 {
			received++
		}
	}
	for id, n := range f.got {
		repeats += n - 1
		if !ids[id] {
			unknown++
		}
	}
	return received, repeats, unknown
}

// loginOnEdge logs email in on the edge with drillPassword and returns the session's headers.
func loginOnEdge(t *testing.T, edgeURL, email string) (*http.Client, func() http.Header) {
	t.Helper()
	c, header := browserClient()
	doJSON(t, c, "GET", edgeURL+"/auth/csrf", nil, nil)
	if code := doJSON(t, c, "POST", edgeURL+"/auth/login", map[string]string{"email": email, "password": drillPassword}, nil); code != http.StatusOK {
		t.Fatalf("login %s on the edge: %d", email, code)
	}
	return c, header
}

// waitReflected waits for the coach's reflections on the user's imported trades: the last
// events of an import's chain (import, score, reflect), stored once its import job has ended.
func (h *drillHost) waitReflected(t *testing.T, userID string) {
	t.Helper()
	waitUntil(t, "the coach's reflections", 2*time.Minute, h.logs, func() bool {
		return slices.ContainsFunc(h.events(userID), func(e coach.Event) bool { return e.Type == coach.EventCoachReflect })
	})
}

// checkFollower waits until the user's imports have led to the coach's reflections and the
// follower has received every event of the user in the store, and checks it received none twice
// and none of another user's.
func (h *drillHost) checkFollower(t *testing.T, f *wsFollower, userID string) {
	t.Helper()
	if t.Failed() {
		return
	}
	h.waitReflected(t, userID)
	var want []coach.Event
	waitUntil(t, "every event over the WebSocket", 2*time.Minute, func() string {
		got, repeats, unknown := f.compare(want)
		ready, drops, reason := f.state()
		return "received " + strconv.Itoa(got) + " of " + strconv.Itoa(len(want)) + " events, " + strconv.Itoa(repeats) + " repeats, " +
			strconv.Itoa(unknown) + " unknown; " + strconv.Itoa(ready) + " connections ready, " + strconv.Itoa(drops) + " dropped (" + reason + ")\n" + h.logs()
	}, func() bool {
		want = h.events(userID)
		got, _, _ := f.compare(want)
		return got == len(want)
	})
	got, repeats, unknown := f.compare(want)
	ready, drops, reason := f.state()
	drillf(t, "WebSocket: %d connections reached ready, %d dropped (last: %s); received %d of the user's %d events, %d repeated, %d not the user's",
		ready, drops, reason, got, len(want), repeats, unknown)
	if repeats != 0 || unknown != 0 || len(want) == 0 {
		t.Errorf("the WebSocket received %d repeats and %d unknown events (of %d)", repeats, unknown, len(want))
	}
}
