package seal_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tradecoach/coach/broker/seal"
)

// TestTokenUnmarshalJSON: a JSON string decodes into a Token that reveals it and still prints and
// encodes redacted; null leaves it zero; a number is a type error that does not quote it.
func TestTokenUnmarshalJSON(t *testing.T) {
	var in struct {
		Secret seal.Token `json:"secret"`
	}
	if err := json.Unmarshal([]byte(`{"secret":"s3cr\u0065t"}`), &in); err != nil || in.Secret.Reveal() != "s3cret" {
		t.Fatalf("decode: %v %q", err, in.Secret.Reveal())
	}
	out, _ := json.Marshal(in)
	if strings.Contains(string(out), "s3cret") {
		t.Fatalf("re-encoded: %s", out)
	}
	in.Secret = seal.Token{}
	if err := json.Unmarshal([]byte(`{"secret":null}`), &in); err != nil || !in.Secret.IsZero() {
		t.Fatalf("null: %v", err)
	}
	err := json.Unmarshal([]byte(`{"secret":123456789}`), &in)
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || strings.Contains(err.Error(), "123456789") {
		t.Fatalf("number: %v", err)
	}
}
