package coach

import (
	"net/mail"
	"strings"
	"time"
)

// User is a trader with an account. Email is unique (case-insensitively: NormalizeEmail is the
// stored form). TimeZone is an addition to the seed: the IANA zone in which the user's days and
// weeks are bucketed (digests, streaks, rules per day); "" means UTC.
type User struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	// PasswordHash is an Argon2id hash in PHC string form. It never leaves the server.
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"createdAt"`
	TimeZone     string    `json:"timeZone,omitempty"`
}

// NormalizeEmail returns the stored form of an email address: trimmed and lower-cased.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Location returns the user's time zone, UTC when unset. A zone Validate rejects (unknown, or
// "Local", the machine's own) falls back to UTC here.
func (u User) Location() *time.Location {
	if u.TimeZone == "" || u.TimeZone == "Local" {
		return time.UTC
	}
	loc, err := time.LoadLocation(u.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Validate reports the first invalid field of u.
func (u User) Validate() error {
	if u.ID != "" && !ValidID(u.ID) {
		return Errorf(EINVALID, "id: malformed")
	}
	if u.Email == "" {
		return Errorf(EINVALID, "email: required")
	}
	if len(u.Email) > 254 {
		return Errorf(EINVALID, "email: longer than 254 characters")
	}
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || a.Name != "" {
		return Errorf(EINVALID, "email: not a valid address")
	}
	if u.TimeZone != "" {
		// "Local" is the machine's zone, not an IANA name: days would move with the server.
		if _, err := time.LoadLocation(u.TimeZone); err != nil || strings.HasPrefix(u.TimeZone, "/") || u.TimeZone == "Local" {
			return Errorf(EINVALID, "timeZone: %q is not an IANA time zone", clip(u.TimeZone, 40))
		}
	}
	return nil
}
