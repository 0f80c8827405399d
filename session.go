package coach

import "time"

// Session is a signed-in browser. The token itself is never stored: TokenHash (an addition to the
// seed) is its SHA-256, and IPHash/UAHash are peppered hashes of the client's address and user
// agent, never the raw values.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"userId"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	IPHash    string    `json:"ipHash"`
	UAHash    string    `json:"uaHash,omitempty"`
	TokenHash string    `json:"-"`
}

// Expired reports whether the session has expired at now.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }

// Validate reports the first invalid field of s.
func (s Session) Validate() error {
	switch {
	case !ValidID(s.ID):
		return Errorf(EINVALID, "id: required")
	case !ValidID(s.UserID):
		return Errorf(EINVALID, "userId: required")
	case s.TokenHash == "":
		return Errorf(EINVALID, "tokenHash: required")
	case s.CreatedAt.IsZero():
		return Errorf(EINVALID, "createdAt: required")
	case !s.ExpiresAt.After(s.CreatedAt):
		return Errorf(EINVALID, "expiresAt: must be after createdAt")
	case s.IPHash == "":
		return Errorf(EINVALID, "ipHash: required")
	}
	return nil
}
