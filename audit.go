package coach

import (
	"encoding/json"
	"time"
)

// Audit actions. Others may be added; an action is a short snake_case word.
const (
	AuditLogin         = "login"
	AuditLogout        = "logout"
	AuditBrokerLinked  = "broker_linked"
	AuditBrokerRevoked = "broker_revoked"
	// AuditBrokerUnlinked: the user removed a connection (the broker did not revoke it).
	AuditBrokerUnlinked = "broker_unlinked"
	AuditImportStart    = "import_start"
	AuditImportDone     = "import_done"
	AuditRuleCreated    = "rule_created"
	AuditRuleUpdated    = "rule_updated"
	AuditRuleDeleted    = "rule_deleted"
	AuditTradeDeleted   = "trade_deleted"
	AuditDataExported   = "data_exported"
)

// Audit records something a user did or that was done for them. Meta never holds secrets or raw
// PII (emails are hashed).
type Audit struct {
	ID        string          `json:"id"`
	UserID    string          `json:"userId"`
	Action    string          `json:"action"`
	Meta      json.RawMessage `json:"meta"`
	CreatedAt time.Time       `json:"createdAt"`
}

// Validate reports the first invalid field of a.
func (a Audit) Validate() error {
	switch {
	case !ValidID(a.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(a.UserID):
		return Errorf(EINVALID, "userId: required")
	case !validAction(a.Action):
		return Errorf(EINVALID, "action: want 1-64 lower-case letters or '_'")
	case len(a.Meta) > 0 && !isJSONObject(a.Meta):
		return Errorf(EINVALID, "meta: want a JSON object")
	case a.CreatedAt.IsZero():
		return Errorf(EINVALID, "createdAt: required")
	}
	return nil
}

func validAction(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}
