package seal

import (
	"fmt"
	"log/slog"
)

// SealedText is how a Sealed value renders in logs, errors and JSON.
const SealedText = "[sealed]"

// Sealed is an envelope as stored (coach.BrokerConnection.AccessEnc and RefreshEnc hold these
// bytes: convert with Sealed(conn.AccessEnc) and []byte(s)). It is ciphertext, yet it has no
// business in a log either: fmt with any verb, log/slog, encoding/json and encoding.TextMarshaler
// all give "[sealed]".
type Sealed []byte

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
