package coach_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
)

func TestEventValidate(t *testing.T) {
	t.Parallel()
	valid := func() coach.Event {
		return coach.Event{UserID: "cuser1", Type: coach.EventCoachReflect, V: 1, Payload: json.RawMessage(`{"tagId":"t1"}`)}
	}
	for _, tc := range []struct {
		name string
		edit func(*coach.Event)
		want string // a word of the message, "" when valid
	}{
		{"valid", func(*coach.Event) {}, ""},
		{"empty object payload", func(e *coach.Event) { e.Payload = json.RawMessage(`{}`) }, ""},
		{"payload at the limit", func(e *coach.Event) {
			e.Payload = json.RawMessage(`{"a":"` + strings.Repeat("x", 16<<10-8) + `"}`)
		}, ""},
		{"no user", func(e *coach.Event) { e.UserID = "" }, "userId"},
		{"malformed user", func(e *coach.Event) { e.UserID = "u 1" }, "userId"},
		{"no type", func(e *coach.Event) { e.Type = "" }, "type"},
		{"long type", func(e *coach.Event) { e.Type = strings.Repeat("t", 65) }, "type"},
		{"version 0", func(e *coach.Event) { e.V = 0 }, "v:"},
		{"negative version", func(e *coach.Event) { e.V = -1 }, "v:"},
		{"no payload", func(e *coach.Event) { e.Payload = nil }, "payload"},
		{"null payload", func(e *coach.Event) { e.Payload = json.RawMessage(`null`) }, "payload"},
		{"array payload", func(e *coach.Event) { e.Payload = json.RawMessage(`[1]`) }, "payload"},
		{"string payload", func(e *coach.Event) { e.Payload = json.RawMessage(`"x"`) }, "payload"},
		{"malformed payload", func(e *coach.Event) { e.Payload = json.RawMessage(`{"a":`) }, "payload"},
		{"payload over the limit", func(e *coach.Event) {
			e.Payload = json.RawMessage(`{"a":"` + strings.Repeat("x", 16<<10) + `"}`)
		}, "larger"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := valid()
			tc.edit(&e)
			err := e.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if coach.ErrorCode(err) != coach.EINVALID || !strings.Contains(coach.ErrorMessage(err), tc.want) {
				t.Errorf("Validate() = %v, want EINVALID mentioning %q", err, tc.want)
			}
		})
	}
}

func TestNewEventAndEnvelope(t *testing.T) {
	t.Parallel()
	p := coach.ImportProgressPayload{
		ConnectionID: "cconn1", Phase: coach.ImportPhaseFailed, Fetched: 10,
		Error: &coach.ErrorPayload{Code: string(coach.EUNAVAILABLE), Message: "broker down"},
	}
	e, err := coach.NewEvent("cuser1", coach.EventImportProgress, 1, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Validate(); err != nil {
		t.Fatalf("NewEvent made an invalid event: %v", err)
	}
	var back coach.ImportProgressPayload
	if err := json.Unmarshal(e.Payload, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("payload round trip (-want +got):\n%s", diff)
	}
	if _, err := coach.NewEvent("cuser1", "x", 1, func() {}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("unmarshalable payload: %v, want EINVALID", err)
	}

	e.ID, e.TS = "01HZZZZZZZZZZZZZZZZZZZZZZZ", time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	b, err := json.Marshal(e.Envelope())
	if err != nil {
		t.Fatal(err)
	}
	var wire map[string]json.RawMessage
	if err := json.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"type": `"import.progress"`, "eventId": `"01HZZZZZZZZZZZZZZZZZZZZZZZ"`, "ts": `"2026-03-02T10:00:00Z"`, "v": `1`,
	}
	if len(wire) != 5 {
		t.Errorf("envelope %s: want exactly type, eventId, ts, v, payload", b)
	}
	for k, v := range want {
		if string(wire[k]) != v {
			t.Errorf("envelope %s = %s, want %s", k, wire[k], v)
		}
	}
	if string(wire["payload"]) != string(e.Payload) {
		t.Errorf("envelope payload = %s, want %s", wire["payload"], e.Payload)
	}
}

func TestDigestReadyPayloadJSON(t *testing.T) {
	t.Parallel()
	p := coach.DigestReadyPayload{DigestID: "cd1", PeriodStart: coach.Date{Year: 2026, Month: 3, Day: 2}, PeriodEnd: coach.Date{Year: 2026, Month: 3, Day: 8}}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"digestId":"cd1","periodStart":"2026-03-02","periodEnd":"2026-03-08"}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}
