package ws_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/transport/ws"
)

var clientFrameSeeds = []string{
	`{"type":"ping"}`,
	` {"type":"hello","extra":{"a":[1,2,3]}} `,
	`{"type":"ping"}{"type":"ping"}`,
	`{"type":"PING"}`,
	`{"type":"pi ng"}`,
	`{"type":""}`,
	`{"type":7}`,
	`{"type":null}`,
	`{}`,
	`[]`,
	`"ping"`,
	`null`,
	``,
	`{"type":"ping"`,
	`{"type":"` + strings.Repeat("a", 65) + `"}`,
	"{\"type\":\"ping\u0000\"}",
}

func TestParseClientFrame(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string // the type, "" when refused
	}{
		{`{"type":"ping"}`, "ping"},
		{` {"type":"hello","extra":{"a":[1,2,3]}} `, "hello"},
		{`{"type":"resume.v2"}`, "resume.v2"},
		{`{"type":"ping"}{"type":"ping"}`, ""},
		{`{"type":"pi ng"}`, ""},
		{`{"type":""}`, ""},
		{`{"type":7}`, ""},
		{`{"type":null}`, ""},
		{`{}`, ""},
		{`[]`, ""},
		{`"ping"`, ""},
		{``, ""},
		{`{"type":"ping"`, ""},
		{`{"type":"` + strings.Repeat("a", 65) + `"}`, ""},
	} {
		f, err := ws.ParseClientFrame([]byte(tc.in))
		switch {
		case tc.want == "" && coach.ErrorCode(err) != coach.EINVALID:
			t.Errorf("ParseClientFrame(%q) = %+v, %v; want EINVALID", tc.in, f, err)
		case tc.want != "" && (err != nil || f.Type != tc.want):
			t.Errorf("ParseClientFrame(%q) = %+v, %v; want type %q", tc.in, f, err, tc.want)
		}
	}
}

// Whatever a client sends, parsing never panics, and an accepted frame has a well-formed type.
func FuzzParseClientFrame(f *testing.F) {
	for _, s := range clientFrameSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ws.ParseClientFrame(b)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if fr.Type == "" || len(fr.Type) > 64 || strings.ContainsFunc(fr.Type, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
		}) {
			t.Fatalf("accepted type %q", fr.Type)
		}
		again, err := ws.ParseClientFrame(mustJSON(t, fr))
		if err != nil || again != fr {
			t.Fatalf("re-encoded frame parses as %+v, %v", again, err)
		}
	})
}

const ulidA = "01J0000000000000000000000A"

var serverFrameSeeds = []string{
	`{"type":"coach.reflect","eventId":"` + ulidA + `","ts":"2026-01-02T03:04:05Z","v":1,"payload":{"text":"hi"}}`,
	`{"type":"ready","lastEventId":"` + ulidA + `"}`,
	`{"type":"gone","reason":"reload"}`,
	`{"type":"pong"}`,
	`{"type":"coach.reflect","eventId":"nope","v":1,"payload":{}}`,
	`{"type":"coach.reflect","eventId":"` + ulidA + `","v":0,"payload":{}}`,
	`{"type":"coach.reflect","eventId":"` + ulidA + `","v":1,"payload":[1]}`,
	`{"type":"coach.reflect","eventId":"` + ulidA + `","v":1}`,
	`{"type":"ready"}`,
	`{"type":"ready","lastEventId":"x"}`,
	`{"type":"x","ts":"not a time"}`,
	`{"type":"x","v":70000}`,
}

func TestParseServerFrame(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, want := range []*ws.ServerFrame{
		{Type: "coach.reflect", EventID: ulidA, TS: ts, V: 1, Payload: json.RawMessage(`{"text":"hi"}`)},
		{Type: ws.FrameReady, LastEventID: ulidA},
		{Type: ws.FrameGone, Reason: ws.ReasonReload},
		{Type: ws.FramePong},
		nil, nil, nil, nil, nil, nil, nil, nil,
	} {
		got, err := ws.ParseServerFrame([]byte(serverFrameSeeds[i]))
		if want == nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Errorf("ParseServerFrame(%s) = %+v, %v; want EINVALID", serverFrameSeeds[i], got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseServerFrame(%s): %v", serverFrameSeeds[i], err)
			continue
		}
		if diff := cmp.Diff(*want, got); diff != "" {
			t.Errorf("ParseServerFrame(%s) (-want +got):\n%s", serverFrameSeeds[i], diff)
		}
	}
	// An event's frame is exactly its envelope.
	env := coach.Envelope{Type: "digest.ready", EventID: ulidA, TS: ts, V: 2, Payload: json.RawMessage(`{"digestId":"d1"}`)}
	got, err := ws.ParseServerFrame(mustJSON(t, env))
	if err != nil || !got.IsEvent() {
		t.Fatalf("envelope frame: %+v, %v", got, err)
	}
	if diff := cmp.Diff(env, got.Envelope()); diff != "" {
		t.Fatalf("envelope (-want +got):\n%s", diff)
	}
}

// Whatever a relay sends, parsing never panics; an accepted event has a ULID id, v ≥ 1 and an
// object payload, and survives a round trip.
func FuzzParseServerFrame(f *testing.F) {
	for _, s := range serverFrameSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ws.ParseServerFrame(b)
		if err != nil {
			if coach.ErrorCode(err) != coach.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if fr.IsEvent() {
			if _, err := coach.EventIDTime(fr.EventID); err != nil || fr.V < 1 || !json.Valid(fr.Payload) {
				t.Fatalf("accepted a bad event %+v", fr)
			}
		}
		again, err := ws.ParseServerFrame(mustJSON(t, fr))
		if err != nil {
			t.Fatalf("re-encoded frame %+v refused: %v", fr, err)
		}
		if again.IsEvent() != fr.IsEvent() || again.EventID != fr.EventID || again.Type != fr.Type || !again.TS.Equal(fr.TS) {
			t.Fatalf("round trip changed %+v into %+v", fr, again)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
