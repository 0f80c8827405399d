package coach

import (
	"encoding/json"
	"time"
)

// Event types. A published type's v never changes meaning: a new shape gets a new v. Each
// published version's payload is documented by a JSON Schema (EventSchema, in schema/*.json), and
// the envelope by EnvelopeSchema.
const (
	EventCoachReflect   = "coach.reflect"
	EventImportProgress = "import.progress"
	EventDigestReady    = "digest.ready"
)

// Event is a row of the event outbox: something a user should hear about, written in the same
// transaction as the change it describes. ID is a ULID assigned by the store, strictly increasing
// per user in commit order; TS is the time encoded in ID (the outbox's partition key).
type Event struct {
	ID          string          `json:"id"`
	UserID      string          `json:"userId"`
	Type        string          `json:"type"`
	V           int16           `json:"v"`
	TS          time.Time       `json:"ts"`
	Payload     json.RawMessage `json:"payload"`
	DeliveredAt *time.Time      `json:"deliveredAt"`
}

// Envelope is an event as clients receive it over the wire: {type, eventId, ts, v, payload}.
type Envelope struct {
	Type    string          `json:"type"`
	EventID string          `json:"eventId"`
	TS      time.Time       `json:"ts"`
	V       int16           `json:"v"`
	Payload json.RawMessage `json:"payload"`
}

// Envelope returns the wire form of e.
func (e Event) Envelope() Envelope {
	return Envelope{Type: e.Type, EventID: e.ID, TS: e.TS, V: e.V, Payload: e.Payload}
}

// maxEventPayloadBytes keeps outbox rows small; events point at data, they do not carry it.
const maxEventPayloadBytes = 16 << 10

// Validate reports the first invalid field of an event about to be appended (ID and TS are
// assigned by the store and not checked).
func (e Event) Validate() error {
	switch {
	case !ValidID(e.UserID):
		return Errorf(EINVALID, "userId: required")
	case e.Type == "" || len(e.Type) > 64:
		return Errorf(EINVALID, "type: required, at most 64 characters")
	case e.V < 1:
		return Errorf(EINVALID, "v: must be at least 1")
	case !isJSONObject(e.Payload):
		return Errorf(EINVALID, "payload: want a JSON object")
	case len(e.Payload) > maxEventPayloadBytes:
		return Errorf(EINVALID, "payload: larger than %d bytes", maxEventPayloadBytes)
	}
	return nil
}

// NewEvent returns an event of type typ, version v, for userID with payload marshalled to JSON.
func NewEvent(userID, typ string, v int16, payload any) (Event, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return Event{}, Errorf(EINVALID, "event %s: payload: %v", typ, err)
	}
	return Event{UserID: userID, Type: typ, V: v, Payload: b}, nil
}

// ReflectPayload is the v1 payload of coach.reflect: the coach's reflection on one bias tag.
type ReflectPayload struct {
	TagID      string  `json:"tagId"`
	TradeID    string  `json:"tradeId"`
	Label      string  `json:"label"`
	Confidence float64 `json:"confidence"`
	Text       string  `json:"text"`
}

// Import phases of import.progress.
const (
	ImportPhaseStarted  = "started"
	ImportPhaseFetching = "fetching"
	ImportPhaseDone     = "done"
	ImportPhaseFailed   = "failed"
)

// ImportProgressPayload is the v1 payload of import.progress.
type ImportProgressPayload struct {
	ConnectionID string    `json:"connectionId"`
	Phase        string    `json:"phase"`
	Fetched      int       `json:"fetched"`
	Inserted     int       `json:"inserted"`
	Duplicates   int       `json:"duplicates"`
	WindowStart  time.Time `json:"windowStart"`
	WindowEnd    time.Time `json:"windowEnd"`
	// Error is set in phase "failed": a code and a message safe to show.
	Error *ErrorPayload `json:"error,omitempty"`
}

// ErrorPayload is an error as events carry it.
type ErrorPayload struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// DigestReadyPayload is the v1 payload of digest.ready.
type DigestReadyPayload struct {
	DigestID    string `json:"digestId"`
	PeriodStart Date   `json:"periodStart"`
	PeriodEnd   Date   `json:"periodEnd"`
}
