package coach_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
)

// payloadTypes are the published payload versions and the Go types that produce them.
var payloadTypes = []struct {
	typ   string
	v     int16
	value any
}{
	{coach.EventCoachReflect, 1, coach.ReflectPayload{}},
	{coach.EventImportProgress, 1, coach.ImportProgressPayload{}},
	{coach.EventDigestReady, 1, coach.DigestReadyPayload{}},
	{coach.EventTagRevised, 1, coach.TagRevisedPayload{}},
	{coach.EventSimulationReady, 1, coach.SimulationReadyPayload{}},
	{coach.EventExportReady, 1, coach.ExportReadyPayload{}},
	{coach.EventCoachAnswer, 1, coach.AnswerPayload{}},
	{coach.EventRuleBroken, 1, coach.RuleBrokenPayload{}},
	{coach.EventWebhookDisabled, 1, coach.WebhookDisabledPayload{}},
}

func mustSchema(t *testing.T, typ string, v int16) map[string]any {
	t.Helper()
	b, ok := coach.EventSchema(typ, v)
	if !ok {
		t.Fatalf("no schema for %s v%d", typ, v)
	}
	return decodeSchema(t, b)
}

func decodeSchema(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("schema is not a JSON object: %v", err)
	}
	if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" || s["$id"] == nil || s["title"] == nil {
		t.Fatalf("schema %v lacks $schema (draft 2020-12), $id or title", s["$id"])
	}
	checkKeywords(t, "", s)
	return s
}

// TestSchemasMatchTheGoTypes keeps the schemas and the payload structs in step: the schema's
// properties are the struct's JSON fields, and its required ones are those without omitempty.
func TestSchemasMatchTheGoTypes(t *testing.T) {
	t.Parallel()
	for _, p := range payloadTypes {
		t.Run(p.typ, func(t *testing.T) {
			t.Parallel()
			compareFields(t, p.typ, mustSchema(t, p.typ, p.v), reflect.TypeOf(p.value))
		})
	}
	t.Run("error", func(t *testing.T) {
		t.Parallel()
		s := mustSchema(t, coach.EventImportProgress, 1)
		compareFields(t, "error", s["properties"].(map[string]any)["error"].(map[string]any), reflect.TypeOf(coach.ErrorPayload{}))
	})
	t.Run("simulation error", func(t *testing.T) {
		t.Parallel()
		s := mustSchema(t, coach.EventSimulationReady, 1)
		compareFields(t, "error", s["properties"].(map[string]any)["error"].(map[string]any), reflect.TypeOf(coach.ErrorPayload{}))
	})
	t.Run("envelope", func(t *testing.T) {
		t.Parallel()
		compareFields(t, "envelope", decodeSchema(t, coach.EnvelopeSchema()), reflect.TypeOf(coach.Envelope{}))
	})
}

func compareFields(t *testing.T, name string, schema map[string]any, typ reflect.Type) {
	t.Helper()
	var fields, required []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		fields = append(fields, tag)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			required = append(required, tag)
		}
	}
	var props, req []string
	for k := range schema["properties"].(map[string]any) {
		props = append(props, k)
	}
	for _, r := range schema["required"].([]any) {
		req = append(req, r.(string))
	}
	for _, l := range [][]string{fields, required, props, req} {
		slices.Sort(l)
	}
	if diff := cmp.Diff(fields, props); diff != "" {
		t.Errorf("%s: schema properties (-Go fields +schema):\n%s", name, diff)
	}
	if diff := cmp.Diff(required, req); diff != "" {
		t.Errorf("%s: schema required (-Go fields without omitempty +schema):\n%s", name, diff)
	}
	if schema["additionalProperties"] != false {
		t.Errorf("%s: a published version is closed: want additionalProperties false", name)
	}
}

// TestProducedEventsMatchTheirSchemas validates events as the services make them (coach.NewEvent,
// Event.Envelope) against the envelope schema and their payload's schema.
func TestProducedEventsMatchTheirSchemas(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 2, 2, 9, 30, 0, 123456789, time.UTC)
	for _, tc := range []struct {
		typ     string
		payload any
	}{
		{coach.EventCoachReflect, coach.ReflectPayload{TagID: coach.NewID(), TradeID: coach.NewID(), Label: coach.LabelFOMO,
			Confidence: 0.82, Text: "You bought BTC 4.1% above its 20-day high."}},
		{coach.EventCoachReflect, coach.ReflectPayload{TagID: "t_1", TradeID: "tr-2", Label: coach.LabelHoldingLosers, Text: ""}},
		{coach.EventImportProgress, coach.ImportProgressPayload{ConnectionID: coach.NewID(), Phase: coach.ImportPhaseFetching,
			Fetched: 120, Inserted: 100, Duplicates: 20, WindowStart: ts.AddDate(0, 0, -30), WindowEnd: ts}},
		{coach.EventImportProgress, coach.ImportProgressPayload{ConnectionID: coach.NewID(), Phase: coach.ImportPhaseFailed,
			WindowStart: ts, WindowEnd: ts, Error: &coach.ErrorPayload{Code: string(coach.EUNAUTHORIZED), Message: "reconnect Coinbase"}}},
		{coach.EventDigestReady, coach.DigestReadyPayload{DigestID: coach.NewID(),
			PeriodStart: coach.DateOf(ts.AddDate(0, 0, -7)), PeriodEnd: coach.DateOf(ts.AddDate(0, 0, -1))}},
		{coach.EventTagRevised, coach.TagRevisedPayload{TagID: coach.NewID(), TradeID: coach.NewID(), Label: coach.LabelPanic,
			Revision: 2, Version: "2026.2", PreviousVersion: "2026.1", Confidence: 0.7, PreviousConfidence: 0.64, Reason: coach.TagRevisedVersion}},
		{coach.EventTagRevised, coach.TagRevisedPayload{TagID: coach.NewID(), TradeID: coach.NewID(), Label: coach.LabelFOMO,
			Revision: 3, Version: "2026.1", PreviousVersion: "2026.1", PreviousConfidence: 1, Reason: coach.TagRevisedEvidence, Withdrawn: true}},
		{coach.EventSimulationReady, coach.SimulationReadyPayload{RunID: coach.NewID(), Status: coach.SimulationDone}},
		{coach.EventSimulationReady, coach.SimulationReadyPayload{RunID: coach.NewID(), Status: coach.SimulationFailed,
			Error: &coach.ErrorPayload{Code: string(coach.ENOTFOUND), Message: "rule not found"}}},
		{coach.EventExportReady, coach.ExportReadyPayload{ExportID: coach.NewID()}},
		{coach.EventCoachAnswer, coach.AnswerPayload{QuestionID: coach.NewID(), Text: "Your FOMO buy of BTC came with the RSI at 84.",
			Source: coach.AnswerModel, EvidenceIDs: []string{"tag:t1:rsi"}}},
		{coach.EventRuleBroken, coach.RuleBrokenPayload{RuleID: coach.NewID(), Kind: "maxTradesPerDay", TradeID: coach.NewID(), At: ts,
			Evidence: json.RawMessage(`{"trades":4,"max":3}`)}},
		{coach.EventWebhookDisabled, coach.WebhookDisabledPayload{EndpointID: coach.NewID(), Failures: 20, Reason: "no answer for 3 days"}},
	} {
		e, err := coach.NewEvent(coach.NewID(), tc.typ, 1, tc.payload)
		if err != nil {
			t.Fatal(err)
		}
		if e.ID, err = coach.NextEventID(ts, ""); err != nil {
			t.Fatal(err)
		}
		e.TS = ts
		wire, err := json.Marshal(e.Envelope())
		if err != nil {
			t.Fatal(err)
		}
		if errs := validate(decodeSchema(t, coach.EnvelopeSchema()), decode(t, wire), "envelope"); len(errs) > 0 {
			t.Errorf("%s envelope %s:\n%s", tc.typ, wire, strings.Join(errs, "\n"))
		}
		if errs := validate(mustSchema(t, tc.typ, 1), decode(t, e.Payload), "payload"); len(errs) > 0 {
			t.Errorf("%s payload %s:\n%s", tc.typ, e.Payload, strings.Join(errs, "\n"))
		}
	}
}

// TestSchemasRefuseMalformedPayloads shows the schemas (and the checker) can fail.
func TestSchemasRefuseMalformedPayloads(t *testing.T) {
	t.Parallel()
	const (
		win    = `"windowStart":"2026-01-01T00:00:00Z","windowEnd":"2026-01-02T00:00:00Z"`
		counts = `"fetched":1,"inserted":1,"duplicates":0`
		tag    = `"tagId":"t1","tradeId":"r1","label":"FOMO"`
	)
	for _, tc := range []struct {
		name, typ, payload string
	}{
		{"missing text", coach.EventCoachReflect, `{` + tag + `,"confidence":0.5}`},
		{"confidence above 1", coach.EventCoachReflect, `{` + tag + `,"confidence":1.5,"text":"x"}`},
		{"lower-case label", coach.EventCoachReflect, `{"tagId":"t1","tradeId":"r1","label":"fomo","confidence":0.5,"text":"x"}`},
		{"id with a space", coach.EventCoachReflect, `{"tagId":"t 1","tradeId":"r1","label":"FOMO","confidence":0.5,"text":"x"}`},
		{"extra member", coach.EventCoachReflect, `{` + tag + `,"confidence":0.5,"text":"x","mood":"sad"}`},
		{"unknown phase", coach.EventImportProgress, `{"connectionId":"c1","phase":"paused",` + counts + `,` + win + `}`},
		{"fractional count", coach.EventImportProgress, `{"connectionId":"c1","phase":"done","fetched":1.5,"inserted":1,"duplicates":0,` + win + `}`},
		{"negative count", coach.EventImportProgress, `{"connectionId":"c1","phase":"done","fetched":-1,"inserted":1,"duplicates":0,` + win + `}`},
		{"window not a time", coach.EventImportProgress, `{"connectionId":"c1","phase":"done",` + counts + `,"windowStart":"yesterday","windowEnd":"2026-01-02T00:00:00Z"}`},
		{"error without code", coach.EventImportProgress, `{"connectionId":"c1","phase":"failed",` + counts + `,` + win + `,"error":{"message":"m"}}`},
		{"unknown error code", coach.EventImportProgress, `{"connectionId":"c1","phase":"failed",` + counts + `,` + win + `,"error":{"code":"oops","message":"m"}}`},
		{"date with a time", coach.EventDigestReady, `{"digestId":"d1","periodStart":"2026-01-26T00:00:00Z","periodEnd":"2026-02-01"}`},
		{"null date", coach.EventDigestReady, `{"digestId":"d1","periodStart":null,"periodEnd":"2026-02-01"}`},
		{"not an object", coach.EventDigestReady, `["d1"]`},
		{"revision 0", coach.EventTagRevised, `{` + tag + `,"revision":0,"version":"b","previousVersion":"a","confidence":0.5,"previousConfidence":0.5,"reason":"version","withdrawn":false}`},
		{"unknown reason", coach.EventTagRevised, `{` + tag + `,"revision":2,"version":"b","previousVersion":"a","confidence":0.5,"previousConfidence":0.5,"reason":"mood","withdrawn":false}`},
		{"withdrawn missing", coach.EventTagRevised, `{` + tag + `,"revision":2,"version":"b","previousVersion":"a","confidence":0.5,"previousConfidence":0.5,"reason":"version"}`},
		{"run still running", coach.EventSimulationReady, `{"runId":"r1","status":"running"}`},
		{"run without id", coach.EventSimulationReady, `{"status":"done"}`},
		{"failure without message", coach.EventSimulationReady, `{"runId":"r1","status":"failed","error":{"code":"invalid","message":""}}`},
		{"result in the event", coach.EventSimulationReady, `{"runId":"r1","status":"done","result":{}}`},
		{"link in the event", coach.EventExportReady, `{"exportId":"e1","url":"https://blobs.example/users/u1/exports/e1.zip?sig=x"}`},
		{"export without id", coach.EventExportReady, `{}`},
		{"answer of an unknown source", coach.EventCoachAnswer, `{"questionId":"q1","text":"t","source":"oracle","evidenceIds":[]}`},
		{"answer without evidence ids", coach.EventCoachAnswer, `{"questionId":"q1","text":"t","source":"model"}`},
		{"empty answer", coach.EventCoachAnswer, `{"questionId":"q1","text":"","source":"model","evidenceIds":[]}`},
		{"empty evidence id", coach.EventCoachAnswer, `{"questionId":"q1","text":"t","source":"model","evidenceIds":[""]}`},
		{"rule broken without trade", coach.EventRuleBroken, `{"ruleId":"r1","kind":"k","at":"2026-01-01T00:00:00Z","evidence":{}}`},
		{"evidence not an object", coach.EventRuleBroken, `{"ruleId":"r1","kind":"k","tradeId":"t1","at":"2026-01-01T00:00:00Z","evidence":3}`},
		{"disabled after no failure", coach.EventWebhookDisabled, `{"endpointId":"w1","failures":0,"reason":"x"}`},
		{"url in the event", coach.EventWebhookDisabled, `{"endpointId":"w1","failures":3,"reason":"x","url":"https://x"}`},
	} {
		if errs := validate(mustSchema(t, tc.typ, 1), decode(t, []byte(tc.payload)), "payload"); len(errs) == 0 {
			t.Errorf("%s: %s v1 accepted %s", tc.name, tc.typ, tc.payload)
		}
	}
	for _, env := range []string{
		`{"type":"coach.reflect","eventId":"01ARZ3NDEKTSV4RRFFQ69G5FAV","ts":"2026-01-01T00:00:00Z","v":0,"payload":{}}`,
		`{"type":"coach.reflect","eventId":"01arz3ndektsv4rrffq69g5fav","ts":"2026-01-01T00:00:00Z","v":1,"payload":{}}`,
		`{"type":"coach.reflect","eventId":"01ARZ3NDEKTSV4RRFFQ69G5FAV","ts":"2026-01-01T00:00:00Z","v":1,"payload":"x"}`,
		`{"type":"coach.reflect","eventId":"01ARZ3NDEKTSV4RRFFQ69G5FAV","v":1,"payload":{}}`,
	} {
		if errs := validate(decodeSchema(t, coach.EnvelopeSchema()), decode(t, []byte(env)), "envelope"); len(errs) == 0 {
			t.Errorf("envelope schema accepted %s", env)
		}
	}
}

func TestEventSchemaOfUnpublishedVersions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ string
		v   int16
	}{
		{coach.EventCoachReflect, 2}, {coach.EventCoachReflect, 0}, {"envelope", 1}, {"no.such.type", 1},
		{"../schema/envelope", 1}, {"", 1}, {"Coach.Reflect", 1},
	} {
		if b, ok := coach.EventSchema(tc.typ, tc.v); ok {
			t.Errorf("EventSchema(%q, %d) = %d bytes, want none", tc.typ, tc.v, len(b))
		}
	}
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}

// The JSON Schema keywords the schemas may use: those validate checks, and annotations.
var (
	checkedKeywords = []string{"type", "required", "properties", "additionalProperties", "enum", "pattern",
		"format", "minimum", "maximum", "minLength", "maxLength", "items", "maxItems"}
	annotations = []string{"$schema", "$id", "title", "description", "examples"}
)

// checkKeywords fails t if a schema uses a keyword validate would silently ignore.
func checkKeywords(t *testing.T, path string, s map[string]any) {
	t.Helper()
	for k, v := range s {
		if !slices.Contains(checkedKeywords, k) && !slices.Contains(annotations, k) {
			t.Errorf("schema %s uses %q, which this test does not check", path, k)
		}
		if k == "properties" {
			for name, sub := range v.(map[string]any) {
				checkKeywords(t, path+"/"+name, sub.(map[string]any))
			}
		}
		if k == "items" {
			checkKeywords(t, path+"/items", v.(map[string]any))
		}
	}
}

// validate checks instance v (decoded with UseNumber) against schema s, for the keywords in
// checkedKeywords, and returns what does not hold.
func validate(s map[string]any, v any, path string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if typ, ok := s["type"].(string); ok && !hasType(v, typ) {
		fail("want %s, got %T", typ, v)
		return errs
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		fail("%v is not one of %v", v, enum)
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		required, _ := s["required"].([]any)
		for _, r := range required {
			if _, ok := v[r.(string)]; !ok {
				fail("%s is required", r)
			}
		}
		for k, val := range v {
			sub, ok := props[k].(map[string]any)
			if !ok {
				if s["additionalProperties"] == false {
					fail("%s is not allowed", k)
				}
				continue
			}
			errs = append(errs, validate(sub, val, path+"."+k)...)
		}
	case []any:
		if n, ok := s["maxItems"].(float64); ok && len(v) > int(n) {
			fail("more than %v items", n)
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, x := range v {
				errs = append(errs, validate(items, x, path+"["+strconv.Itoa(i)+"]")...)
			}
		}
	case string:
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(v) {
			fail("%q does not match %s", v, p)
		}
		if n, ok := s["minLength"].(float64); ok && len([]rune(v)) < int(n) {
			fail("shorter than %v", n)
		}
		if n, ok := s["maxLength"].(float64); ok && len([]rune(v)) > int(n) {
			fail("longer than %v", n)
		}
		switch s["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				fail("%q is not a date-time", v)
			}
		case "date":
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				fail("%q is not a date", v)
			}
		}
	case json.Number:
		f, _ := v.Float64()
		if m, ok := s["minimum"].(float64); ok && f < m {
			fail("%v is below %v", v, m)
		}
		if m, ok := s["maximum"].(float64); ok && f > m {
			fail("%v is above %v", v, m)
		}
	}
	return errs
}

func hasType(v any, typ string) bool {
	switch v := v.(type) {
	case map[string]any:
		return typ == "object"
	case []any:
		return typ == "array"
	case string:
		return typ == "string"
	case bool:
		return typ == "boolean"
	case nil:
		return typ == "null"
	case json.Number:
		if typ == "number" {
			return true
		}
		_, err := v.Int64()
		return typ == "integer" && err == nil
	}
	return false
}
