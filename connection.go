package coach

import (
	"fmt"
	"log/slog"
	"time"
)

// Broker names.
const (
	BrokerCoinbase = "coinbase"
	BrokerBinance  = "binance"
	BrokerCSV      = "csv"
	BrokerDemo     = "demo"
)

// Connection statuses.
const (
	ConnectionActive  = "active"
	ConnectionPaused  = "paused"
	ConnectionRevoked = "revoked"
)

// BrokerConnection links a user to a broker account. A user may have several connections to the
// same broker. AccessEnc and RefreshEnc are sealed (AES-256-GCM) and never leave the server or
// reach a log. AccessEnc is required unless the connection is revoked; RefreshEnc is optional.
type BrokerConnection struct {
	ID         string     `json:"id"`
	UserID     string     `json:"userId"`
	Broker     string     `json:"broker"`
	Status     string     `json:"status"`
	AccessEnc  []byte     `json:"-"`
	RefreshEnc []byte     `json:"-"`
	Scope      string     `json:"scope"`
	ExpiresAt  *time.Time `json:"expiresAt"`
	CreatedAt  time.Time  `json:"createdAt"`
	// Label is an addition: the user's name for the account ("main", "savings").
	Label string `json:"label,omitempty"`
}

// Validate reports the first invalid field of c.
func (c BrokerConnection) Validate() error {
	switch {
	case !ValidID(c.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(c.UserID):
		return Errorf(EINVALID, "userId: required")
	case !validBroker(c.Broker):
		return Errorf(EINVALID, "broker: want 1-32 lower-case letters, digits or '_'")
	case c.Status != ConnectionActive && c.Status != ConnectionPaused && c.Status != ConnectionRevoked:
		return Errorf(EINVALID, "status: want active, paused or revoked")
	case c.Status != ConnectionRevoked && len(c.AccessEnc) == 0:
		// Only a revoked connection may drop its access token (and so have its tokens erased).
		return Errorf(EINVALID, "accessEnc: required unless the connection is revoked")
	case len(c.Scope) > 1024:
		return Errorf(EINVALID, "scope: longer than 1024 characters")
	case len(c.Label) > 64:
		return Errorf(EINVALID, "label: longer than 64 characters")
	case c.CreatedAt.IsZero():
		return Errorf(EINVALID, "createdAt: required")
	}
	return nil
}

func validBroker(b string) bool {
	if len(b) == 0 || len(b) > 32 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Format prints c with its sealed tokens hidden, for every verb (%v, %+v, %#v, %s), so that a
// connection logged or wrapped into an error never shows ciphertext.
func (c BrokerConnection) Format(f fmt.State, verb rune) {
	exp := "nil"
	if c.ExpiresAt != nil {
		exp = c.ExpiresAt.Format(time.RFC3339)
	}
	fmt.Fprintf(f, "BrokerConnection{ID:%s UserID:%s Broker:%s Status:%s AccessEnc:[sealed] RefreshEnc:[sealed] Scope:%q ExpiresAt:%s CreatedAt:%s Label:%q}",
		c.ID, c.UserID, c.Broker, c.Status, c.Scope, exp, c.CreatedAt.Format(time.RFC3339), c.Label)
}

// LogValue hides the sealed tokens from log/slog.
func (c BrokerConnection) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID), slog.String("userId", c.UserID),
		slog.String("broker", c.Broker), slog.String("status", c.Status))
}
