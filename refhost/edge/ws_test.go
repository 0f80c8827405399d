package edge_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/edge"
)

// frame is a relay frame: an event (with an eventId) or a control frame.
type frame struct {
	Type        string `json:"type"`
	EventID     string `json:"eventId"`
	LastEventID string `json:"lastEventId"`
}

// dial opens /ws/coach on the edge with the browser's cookies, resuming after last.
func (b *browser) dial(t *testing.T, last string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{}
	for name, v := range b.cookies {
		h.Add("Cookie", name+"="+v)
	}
	u := "ws" + strings.TrimPrefix(b.f.srv.URL, "http") + "/ws/coach"
	if last != "" {
		u += "?lastEventId=" + last
	}
	return websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
}

// TestWebSocketRelayResumes: the handshake needs a session; a connection resuming after an event
// gets the events after it (replayed from core's /events), then ready.
func TestWebSocketRelayResumes(t *testing.T) {
	f := newFront(t, newBackend(t), nil)
	stranger := f.browser()
	if _, res, err := stranger.dial(t, ""); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("signed out: %v %v", res, err)
	} else {
		checkHeaders(t, "refused handshake", res.Header)
	}

	ana := f.browser()
	ana.signUp("ana@example.com")
	ana.must(req{method: "POST", path: "/brokers/csv", body: "ts,symbol,side,qty,price,fee,feeAsset,extId\n" +
		"2026-03-02T09:00:00Z,BTC-USDT,BUY,0.01,64000,0.64,USDT,f1\n2026-03-02T10:00:00Z,BTC-USDT,SELL,0.01,64500,0.64,USDT,f2\n"}, http.StatusOK)
	var page struct {
		Events []coach.Event `json:"events"`
	}
	waitFor(t, "two events", func() bool {
		ana.must(req{method: "GET", path: "/events?limit=100"}, http.StatusOK).decode(t, &page)
		return len(page.Events) >= 2
	})

	c, _, err := ana.dial(t, page.Events[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []string
	for {
		_, raw, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var fr frame
		if err := json.Unmarshal(raw, &fr); err != nil {
			t.Fatal(err)
		}
		if fr.EventID != "" {
			got = append(got, fr.EventID)
			continue
		}
		if fr.Type == "ready" {
			break
		}
	}
	var want []string
	for _, e := range page.Events[1:] {
		want = append(want, e.ID)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("replayed %v, want %v", got, want)
	}
	// Logging out does not reach into the open socket, but a new handshake is refused.
	ana.must(req{method: "POST", path: "/auth/logout"}, http.StatusNoContent)
	ana.cookies[edge.SessionCookie] = strings.Repeat("A", 43)
	if _, res, err := ana.dial(t, ""); err == nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after logout: %v", err)
	}
}
