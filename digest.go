package coach

import (
	"encoding/json"
	"time"
)

// Digest is a user's weekly digest: [PeriodStart, PeriodEnd] are the first and last days of the
// ISO week in the user's time zone, and Payload holds counts by bias, P/L attribution, streaks
// and the suggestion (the digest package defines its shape). A user has at most one digest per
// PeriodStart. CreatedAt is an addition to the seed.
type Digest struct {
	ID          string          `json:"id"`
	UserID      string          `json:"userId"`
	PeriodStart Date            `json:"periodStart"`
	PeriodEnd   Date            `json:"periodEnd"`
	Payload     json.RawMessage `json:"payload"`
	DeliveredAt *time.Time      `json:"deliveredAt"`
	CreatedAt   time.Time       `json:"createdAt"`
}

// Validate reports the first invalid field of d.
func (d Digest) Validate() error {
	switch {
	case !ValidID(d.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(d.UserID):
		return Errorf(EINVALID, "userId: required")
	case d.PeriodStart.IsZero():
		return Errorf(EINVALID, "periodStart: required")
	case d.PeriodEnd.Before(d.PeriodStart):
		return Errorf(EINVALID, "periodEnd: before periodStart")
	case !isJSONObject(d.Payload):
		return Errorf(EINVALID, "payload: want a JSON object")
	}
	return nil
}
