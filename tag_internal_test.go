package coach

import (
	"encoding/json"
	"testing"
)

// TestIsJSONObjectAgreesWithUnmarshal checks isJSONObject against its definition: what
// unmarshalling into a map accepts (the check it replaced, ten times slower).
func TestIsJSONObjectAgreesWithUnmarshal(t *testing.T) {
	byUnmarshal := func(b []byte) bool {
		var m map[string]json.RawMessage
		return len(b) > 0 && json.Unmarshal(b, &m) == nil && m != nil
	}
	for _, s := range []string{
		`{}`, " \t\r\n{\"a\":1} \n", `null`, `[]`, `{"a":1,"a":2}`, "{\"a\":\"\xff\"}", "{\"\xff\":1}",
		`{"a":}`, `{} {}`, `{}x`, `"x"`, `1`, ``, ` `, `{"a":[1,2,{"b":null}]}`, "\ufeff{}", `{"a":"\ud800"}`,
		`{"a":1`, `{'a':1}`, `{"a":1,}`, "\v{}",
	} {
		if got, want := isJSONObject(json.RawMessage(s)), byUnmarshal([]byte(s)); got != want {
			t.Errorf("isJSONObject(%q) = %v, want %v", s, got, want)
		}
	}
}

func BenchmarkIsJSONObject(b *testing.B) {
	payload := json.RawMessage(`{"tagId":"c123","label":"FOMO","score":0.82,"evidence":{"z":2.4,"window":"1h"}}`)
	for b.Loop() {
		if !isJSONObject(payload) {
			b.Fatal("not an object")
		}
	}
}
