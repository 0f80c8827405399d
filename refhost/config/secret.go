package config

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret is a setting that must never show: fmt under every verb, log/slog and encoding/json all
// write "[redacted]" for a set Secret (and "" for an empty one). Reveal returns the value, for
// the one place that uses it.
type Secret string

const redacted = "[redacted]"

func (s Secret) shown() string {
	if s == "" {
		return ""
	}
	return redacted
}

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String writes "[redacted]" (or "" when empty).
func (s Secret) String() string { return s.shown() }

// GoString is String, so that %#v hides the value too.
func (s Secret) GoString() string { return s.shown() }

// Format writes String for every verb and flag.
func (s Secret) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, s.shown())
	}
}

// LogValue makes log/slog record "[redacted]".
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.shown()) }

// MarshalJSON writes "[redacted]": a Secret is never serialized.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.shown())), nil }
