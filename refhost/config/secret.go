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

// Key is a secret key read from hex (the internal key, the KEK, the log and erasure keys, the
// edges' secret). It is a []byte to every function that takes one, and prints, logs and
// marshals as "[redacted]" (or "" when empty), so a Config printed whole shows no key.
type Key []byte

func (k Key) shown() string {
	if len(k) == 0 {
		return ""
	}
	return redacted
}

// String writes "[redacted]" (or "" when empty).
func (k Key) String() string { return k.shown() }

// GoString is String, so that %#v hides the value too.
func (k Key) GoString() string { return k.shown() }

// Format writes String for every verb and flag.
func (k Key) Format(f fmt.State, _ rune) {
	if f != nil {
		_, _ = io.WriteString(f, k.shown())
	}
}

// LogValue makes log/slog record "[redacted]".
func (k Key) LogValue() slog.Value { return slog.StringValue(k.shown()) }

// MarshalJSON writes "[redacted]": a Key is never serialized.
func (k Key) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", k.shown())), nil }
