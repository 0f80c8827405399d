package coach

import (
	"encoding/json"
	"time"
)

// Rule is a trader's own rule, e.g. kind "avoidSpikeOverPct" with params
// {"pct": 10, "lookbackHours": 24}. The rules package knows the kinds and validates their params;
// here a rule needs a well-formed kind and a JSON object. CreatedAt is an addition to the seed.
type Rule struct {
	ID     string          `json:"id"`
	UserID string          `json:"userId"`
	Kind   string          `json:"kind"`
	Params json.RawMessage `json:"params"`
	// Active defaults to true (the seed's default): JSON without "active", or with null, decodes
	// as true (as the column default does in Postgres). A Go caller building a Rule sets it.
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"createdAt"`
}

// UnmarshalJSON decodes a rule as its JSON tags say, with "active" true when absent or null.
func (r *Rule) UnmarshalJSON(b []byte) error {
	type plain Rule
	v := struct {
		*plain
		Active *bool `json:"active"`
	}{plain: (*plain)(r)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	r.Active = v.Active == nil || *v.Active
	return nil
}

// Validate reports the first invalid field of r.
func (r Rule) Validate() error {
	switch {
	case !ValidID(r.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(r.UserID):
		return Errorf(EINVALID, "userId: required")
	case !validKind(r.Kind):
		return Errorf(EINVALID, "kind: want 1-64 letters or digits, starting with a letter")
	case !isJSONObject(r.Params):
		return Errorf(EINVALID, "params: want a JSON object")
	case len(r.Params) > 4<<10:
		return Errorf(EINVALID, "params: larger than 4096 bytes")
	}
	return nil
}

func validKind(k string) bool {
	if len(k) == 0 || len(k) > 64 || !(k[0] >= 'a' && k[0] <= 'z' || k[0] >= 'A' && k[0] <= 'Z') {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
