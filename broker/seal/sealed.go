package seal

import (
	"fmt"
	"log/slog"
)

// SealedText is how a Sealed value renders in logs, errors and JSON.
const SealedText = "[sealed]"

// Sealed is an envelope as stored (coach.BrokerConnection.AccessEnc and RefreshEnc hold its
// bytes: convert with SealedOf(conn.AccessEnc) and s.Bytes()). It is ciphertext, yet it has no
// business in a log either: fmt with any verb, log/slog, encoding/json and encoding.TextMarshaler
// all give "[sealed]". The bytes sit behind a *string, which fmt prints as an address even where
// it cannot call Format (a Sealed in an unexported field). The zero Sealed is empty.
type Sealed struct {
	b *string
}

// SealedOf returns the envelope whose bytes are b (copied).
func SealedOf(b []byte) Sealed {
	if len(b) == 0 {
		return Sealed{}
	}
	s := string(b)
	return Sealed{b: &s}
}

// Bytes returns a copy of the envelope's bytes, nil for the zero Sealed.
func (s Sealed) Bytes() []byte {
	if s.b == nil {
		return nil
	}
	return []byte(*s.b)
}

// Len returns the envelope's size in bytes.
func (s Sealed) Len() int {
	if s.b == nil {
		return 0
	}
	return len(*s.b)
}

// Equal reports whether s and o hold the same bytes.
func (s Sealed) Equal(o Sealed) bool { return s.Len() == o.Len() && (s.Len() == 0 || *s.b == *o.b) }

// String returns "[sealed]".
func (s Sealed) String() string { return SealedText }

// GoString returns "[sealed]".
func (s Sealed) GoString() string { return SealedText }

// Format writes "[sealed]" for every verb and flag.
func (s Sealed) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(SealedText)) }

// LogValue makes log/slog record "[sealed]".
func (s Sealed) LogValue() slog.Value { return slog.StringValue(SealedText) }

// MarshalJSON writes "[sealed]": envelopes are stored as bytes, never serialized to JSON.
func (s Sealed) MarshalJSON() ([]byte, error) { return []byte(`"` + SealedText + `"`), nil }

// MarshalText writes "[sealed]".
func (s Sealed) MarshalText() ([]byte, error) { return []byte(SealedText), nil }
