package ws

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/tradecoach/coach"
)

// Path is where hosts mount the Relay.
const Path = "/ws/coach"

// Control frame types. Event types (coach.EventCoachReflect, …) are the other frames' types; a
// frame is an event when it carries an eventId.
const (
	FrameReady = "ready" // server: replay done, live events follow
	FrameGone  = "gone"  // server: lastEventId is past retention, reload
	FramePing  = "ping"  // client: keepalive
	FramePong  = "pong"  // server: answer to ping
)

// ReasonReload is the reason of a gone frame.
const ReasonReload = "reload"

// Application close codes (RFC 6455 reserves 4000–4999 for applications).
const (
	// CloseTooSlow: the client fell too far behind; reconnect with lastEventId.
	CloseTooSlow = 4408
	// CloseGone: lastEventId is past retention; reload state, then reconnect without it.
	CloseGone = 4410
	// CloseTooMany: the user already holds the most connections allowed on this relay.
	CloseTooMany = 4429
)

// maxFrameType bounds a frame's type (the longest event type is 64 characters).
const maxFrameType = 64

// ServerFrame is a frame the relay sends: an event envelope when EventID is set, a control frame
// (FrameReady, FrameGone, FramePong) otherwise.
type ServerFrame struct {
	Type        string          `json:"type"`
	EventID     string          `json:"eventId,omitempty"`
	TS          time.Time       `json:"ts,omitzero"`
	V           int16           `json:"v,omitempty"`
	Payload     json.RawMessage `json:"payload,omitempty"`
	LastEventID string          `json:"lastEventId,omitempty"`
	Reason      string          `json:"reason,omitempty"`
}

// IsEvent reports whether f is an event envelope.
func (f ServerFrame) IsEvent() bool { return f.EventID != "" }

// Envelope returns the event f carries (meaningful when IsEvent).
func (f ServerFrame) Envelope() coach.Envelope {
	return coach.Envelope{Type: f.Type, EventID: f.EventID, TS: f.TS, V: f.V, Payload: f.Payload}
}

// ParseServerFrame decodes and checks a frame received from the relay. An event must have a
// ULID eventId, a type of at most 64 characters, v ≥ 1 and an object payload; a ready frame a
// ULID lastEventId. Control frames of unknown types are returned as they are (clients ignore
// them). Anything else is EINVALID.
func ParseServerFrame(b []byte) (ServerFrame, error) {
	var f ServerFrame
	if err := decodeObject(b, &f); err != nil {
		return ServerFrame{}, err
	}
	if err := checkType(f.Type); err != nil {
		return ServerFrame{}, err
	}
	if f.IsEvent() {
		if _, err := coach.EventIDTime(f.EventID); err != nil {
			return ServerFrame{}, err
		}
		if f.V < 1 {
			return ServerFrame{}, coach.Errorf(coach.EINVALID, "frame: v must be at least 1")
		}
		if !isObject(f.Payload) {
			return ServerFrame{}, coach.Errorf(coach.EINVALID, "frame: payload must be a JSON object")
		}
		return f, nil
	}
	if f.Type == FrameReady {
		if _, err := coach.EventIDTime(f.LastEventID); err != nil {
			return ServerFrame{}, err
		}
	}
	return f, nil
}

// ClientFrame is a frame a client sends.
type ClientFrame struct {
	Type string `json:"type"`
}

// ParseClientFrame decodes and checks a frame received from a client: a JSON object with a
// "type" of 1 to 64 characters of [A-Za-z0-9._-]. Other members are ignored. Anything else is
// EINVALID, which the relay answers with a 1008 close.
func ParseClientFrame(b []byte) (ClientFrame, error) {
	var f ClientFrame
	if err := decodeObject(b, &f); err != nil {
		return ClientFrame{}, err
	}
	if err := checkType(f.Type); err != nil {
		return ClientFrame{}, err
	}
	return f, nil
}

// decodeObject decodes exactly one JSON object from b into v.
func decodeObject(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return coach.Errorf(coach.EINVALID, "frame: want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return coach.Errorf(coach.EINVALID, "frame: malformed JSON")
	}
	if dec.More() {
		return coach.Errorf(coach.EINVALID, "frame: trailing data after the object")
	}
	return nil
}

func checkType(t string) error {
	if t == "" || len(t) > maxFrameType {
		return coach.Errorf(coach.EINVALID, "frame: type must have 1 to %d characters", maxFrameType)
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return coach.Errorf(coach.EINVALID, "frame: type may use only [A-Za-z0-9._-]")
		}
	}
	return nil
}

func isObject(p json.RawMessage) bool {
	p = bytes.TrimSpace(p)
	return len(p) >= 2 && p[0] == '{' && json.Valid(p)
}

// Encoded control frames.
var (
	goneFrame = mustMarshal(ServerFrame{Type: FrameGone, Reason: ReasonReload})
	pongFrame = mustMarshal(ServerFrame{Type: FramePong})
)

func readyFrame(lastEventID string) []byte {
	return mustMarshal(ServerFrame{Type: FrameReady, LastEventID: lastEventID})
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
