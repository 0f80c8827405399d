package bias

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestInputRoundTrip(t *testing.T) {
	t.Parallel()
	sha := strings.Repeat("ab", 32)
	in := Input{CandlesSHA256: sha, LabelFrom: time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.FixedZone("X", 3600))}
	for _, features := range []string{
		`{"v":"2026.1","ev":{"x":1},"th":{},"conv":{"tz":"UTC"}}`,
		`{"v":"2026.1"}`,
		`{}`,
	} {
		got := appendInput([]byte(features), in)
		want := strings.TrimSuffix(features, "}")
		if features != "{}" {
			want += ","
		}
		want += `"input":{"candlesSha256":"` + sha + `","labelFrom":"2026-03-01T08:30:00.123456Z"}}`
		if string(got) != want {
			t.Errorf("appendInput(%s) =\n%s\nwant\n%s", features, got, want)
		}
		if !json.Valid(got) {
			t.Errorf("appendInput(%s) is not JSON", features)
		}
		back, ok := InputOf(got)
		if !ok || back.CandlesSHA256 != sha || !back.LabelFrom.Equal(in.LabelFrom) || back.LabelFrom.Location() != time.UTC {
			t.Errorf("InputOf = %+v, %v", back, ok)
		}
		if ev := evidence(got); features != "{}" && string(ev) != features {
			t.Errorf("evidence = %s, want %s", ev, features)
		}
	}
	for name, features := range map[string]string{
		"no input":        `{"v":"2026.1"}`,
		"short sha":       `{"input":{"candlesSha256":"abc","labelFrom":"2026-03-01T08:30:00Z"}}`,
		"upper-case sha":  `{"input":{"candlesSha256":"` + strings.ToUpper(sha) + `","labelFrom":"2026-03-01T08:30:00Z"}}`,
		"not a time":      `{"input":{"candlesSha256":"` + sha + `","labelFrom":"yesterday"}}`,
		"input not last":  `{"input":{"candlesSha256":"` + sha + `","labelFrom":"2026-03-01T08:30:00Z"},"v":"x"}`,
		"input re-spaced": `{"v":"x", "input": {"candlesSha256": "` + sha + `", "labelFrom": "2026-03-01T08:30:00Z"}}`,
		"not JSON":        `{"input":`,
	} {
		_, ok := InputOf(json.RawMessage(features))
		if ev := evidence(json.RawMessage(features)); ev != nil {
			t.Errorf("%s: evidence = %s, want none (the tag gets a new revision)", name, ev)
		}
		if want := name == "input not last" || name == "input re-spaced"; ok != want {
			t.Errorf("%s: InputOf ok = %v, want %v", name, ok, want)
		}
	}
	if v := versionOf(json.RawMessage(`{"v":"2026.2","x":1}`)); v != "2026.2" {
		t.Errorf("versionOf = %q", v)
	}
	if v := versionOf(json.RawMessage(`[1]`)); v != "" {
		t.Errorf("versionOf of an array = %q", v)
	}
}

// FuzzInputOf: stored features are read back from a database: whatever they hold, InputOf and
// evidence never panic, and evidence is exactly what appendInput was given.
func FuzzInputOf(f *testing.F) {
	sha := strings.Repeat("0f", 32)
	f.Add([]byte(appendInput([]byte(`{"v":"2026.1","ev":{"x":1.5}}`), Input{CandlesSHA256: sha, LabelFrom: time.Unix(1e9, 5)})))
	f.Add([]byte(`{"v":"2026.1"}`))
	f.Add([]byte(`{"input":{"candlesSha256":"` + sha + `","labelFrom":"2001-09-09T01:46:40Z"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, ok := InputOf(b)
		ev := evidence(b)
		if ev == nil {
			return
		}
		if !ok {
			t.Fatal("evidence without an input")
		}
		if !bytes.Equal(appendInput(ev, in), b) {
			t.Fatalf("appendInput(evidence(%q)) = %q", b, appendInput(ev, in))
		}
	})
}
