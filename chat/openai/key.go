package openai

import (
	"fmt"
	"log/slog"
)

// Redacted is how a Key renders in logs, errors and JSON.
const Redacted = "[redacted]"

// Key is the API key of a chat-completions server. Every way of printing it — fmt with any verb,
// log/slog, encoding/json and encoding.TextMarshaler — gives "[redacted]"; only Reveal returns
// it, and only Model.Answer calls Reveal, to set the request's Authorization header. The key sits
// behind a pointer, so fmt's reflection over a struct that holds a Key in an unexported field
// prints an address, never the text (the same design as broker/seal.Token).
type Key struct{ p *string }

// NewKey wraps an API key.
func NewKey(secret string) Key { return Key{p: &secret} }

// Reveal returns the key.
func (k Key) Reveal() string {
	if k.p == nil {
		return ""
	}
	return *k.p
}

// IsZero reports whether k holds no key.
func (k Key) IsZero() bool { return k.p == nil || *k.p == "" }

// String returns "[redacted]".
func (k Key) String() string { return Redacted }

// GoString returns "[redacted]".
func (k Key) GoString() string { return Redacted }

// Format writes "[redacted]" for every verb and flag.
func (k Key) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue makes log/slog record "[redacted]".
func (k Key) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON writes "[redacted]": a Key is never serialized.
func (k Key) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText writes "[redacted]".
func (k Key) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
