package seal

import (
	"encoding/binary"

	"github.com/tradecoach/coach"
)

// Purposes of a sealed secret within one connection.
const (
	PurposeAccess  = "access"
	PurposeRefresh = "refresh"
	// PurposeAPISecret is an API key's secret (Binance).
	PurposeAPISecret = "api_secret"
)

// Binding is what a sealed secret belongs to. It is authenticated with the ciphertext (the
// additional data of AES-GCM), so an envelope opens only under the exact Binding it was sealed
// for: another user, broker, connection or purpose fails.
type Binding struct {
	UserID       string
	Broker       string
	ConnectionID string
	// Purpose tells a connection's secrets apart (PurposeAccess, PurposeRefresh, …), so that an
	// access token cannot be swapped in as the refresh token.
	Purpose string
}

// For returns the Binding of a connection's secret for purpose.
func For(c coach.BrokerConnection, purpose string) Binding {
	return Binding{UserID: c.UserID, Broker: c.Broker, ConnectionID: c.ID, Purpose: purpose}
}

// Validate reports the first missing or malformed field.
func (b Binding) Validate() error {
	switch {
	case !coach.ValidID(b.UserID):
		return coach.Errorf(coach.EINVALID, "seal: binding: userId: required")
	case b.Broker == "" || len(b.Broker) > 32:
		return coach.Errorf(coach.EINVALID, "seal: binding: broker: required")
	case !coach.ValidID(b.ConnectionID):
		return coach.Errorf(coach.EINVALID, "seal: binding: connectionId: required")
	case b.Purpose == "" || len(b.Purpose) > 64:
		return coach.Errorf(coach.EINVALID, "seal: binding: purpose: required")
	}
	return nil
}

// aad is the additional data of the secret's ciphertext: a label, the envelope version and each
// field length-prefixed, so that no two Bindings give the same bytes.
func (b Binding) aad(version byte) []byte {
	out := append([]byte("tradecoach/seal data\x00"), version)
	for _, f := range []string{b.UserID, b.Broker, b.ConnectionID, b.Purpose} {
		out = binary.BigEndian.AppendUint16(out, uint16(len(f)))
		out = append(out, f...)
	}
	return out
}

// dekAAD is the additional data of a user's wrapped data key: a DEK wrapped for one user does not
// unwrap for another.
func dekAAD(userID string) []byte {
	out := []byte("tradecoach/seal dek\x00")
	out = binary.BigEndian.AppendUint16(out, uint16(len(userID)))
	return append(out, userID...)
}
