package seal

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
)

// Redacted is how a Token renders in logs, errors and JSON.
const Redacted = "[redacted]"

// Token is a plaintext secret (an access token, a refresh token, an API secret). Every way of
// printing it — fmt with any verb, log/slog, encoding/json, encoding.TextMarshaler — gives
// "[redacted]"; only Reveal returns the secret. The secret sits behind a pointer, so even fmt's
// reflection over a struct that holds a Token in an unexported field prints an address, never the
// text. The zero Token is empty.
type Token struct {
	p *string
}

// NewToken wraps a secret.
func NewToken(secret string) Token { return Token{p: &secret} }

// Reveal returns the secret. Call it only where the secret is sent to the broker.
func (t Token) Reveal() string {
	if t.p == nil {
		return ""
	}
	return *t.p
}

// IsZero reports whether t holds no secret (the zero Token or an empty string).
func (t Token) IsZero() bool { return t.p == nil || *t.p == "" }

// String returns "[redacted]".
func (t Token) String() string { return Redacted }

// GoString returns "[redacted]", so %#v does not show the secret either.
func (t Token) GoString() string { return Redacted }

// Format writes "[redacted]" for every verb and flag.
func (t Token) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue makes log/slog record "[redacted]".
func (t Token) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON writes "[redacted]": a Token is never serialized.
func (t Token) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText writes "[redacted]".
func (t Token) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// UnmarshalJSON reads a secret from a JSON string (null leaves the Token zero), so that a request
// body's secret is a Token from the moment it is decoded. Anything but a string or null is a
// *json.UnmarshalTypeError that does not quote the value.
func (t *Token) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if len(b) == 0 || b[0] != '"' || json.Unmarshal(b, &s) != nil {
		return &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeFor[string]()}
	}
	*t = NewToken(s)
	return nil
}
