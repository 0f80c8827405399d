package coach

import (
	"net/mail"
	"strings"
	"time"
)

// User is a trader with an account. TimeZone is an addition to the seed: the IANA zone in which
// the user's days and weeks are bucketed (digests, streaks, rules per day); "" means UTC.
//
// A host application that keeps its own user table need not copy personal data here: ID may be
// the host's own user id and Email may be empty.
type User struct {
	// ID identifies the user: a cuid from NewID, or the host's own id for the user. Either way it
	// must pass ValidID — 1 to 64 ASCII letters, digits, '_' or '-' — so that it is safe in keys,
	// task ids, paths and logs; a host whose ids use other characters (Auth0's "auth0|…") maps
	// them, e.g. '|' to '_'. Required by storage.
	ID string `json:"id"`
	// Email is optional: "" means the user has none here (the host keeps it). When set it must be
	// a plain address of at most 254 bytes, and it is unique case-insensitively (NormalizeEmail
	// is the stored form). The reference host requires it at sign-up.
	Email string `json:"email"`
	// PasswordHash is an Argon2id hash in PHC string form. It never leaves the server.
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"createdAt"`
	TimeZone     string    `json:"timeZone,omitempty"`
	// ReportingCurrency is an addition to the seed: the currency the user's P/L, fees and equity
	// are reported in, beside the per-quote figures (see Currency). "" means
	// DefaultReportingCurrency (USD); when set it is an asset code ValidCurrency accepts ("USD",
	// "EUR", "USDT").
	ReportingCurrency string `json:"reportingCurrency,omitempty"`
	// DigestByEmail is an addition to the seed: the user's opt-in to receive each weekly digest
	// by email as well (delivered to Email, so it has no effect while Email is ""). Off unless
	// the user turns it on.
	DigestByEmail bool `json:"digestByEmail"`
}

// Currency returns the user's reporting currency: ReportingCurrency, or DefaultReportingCurrency
// when it is empty.
func (u User) Currency() string {
	if u.ReportingCurrency == "" {
		return DefaultReportingCurrency
	}
	return u.ReportingCurrency
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

// Validate reports the first invalid field of u: a malformed ID (an empty one is left to the
// caller), an Email that is set but not a valid address, a TimeZone that is not an IANA name, a
// ReportingCurrency that is set but not an upper-case asset code of 2 to 10 characters.
func (u User) Validate() error {
	if u.ID != "" && !ValidID(u.ID) {
		return Errorf(EINVALID, "id: malformed")
	}
	if u.Email != "" {
		if len(u.Email) > 254 {
			return Errorf(EINVALID, "email: longer than 254 characters")
		}
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || a.Name != "" {
			return Errorf(EINVALID, "email: not a valid address")
		}
	}
	if u.TimeZone != "" {
		// "Local" is the machine's zone, not an IANA name: days would move with the server.
		if _, err := time.LoadLocation(u.TimeZone); err != nil || strings.HasPrefix(u.TimeZone, "/") || u.TimeZone == "Local" {
			return Errorf(EINVALID, "timeZone: %q is not an IANA time zone", clip(u.TimeZone, 40))
		}
	}
	if u.ReportingCurrency != "" && !ValidCurrency(u.ReportingCurrency) {
		return Errorf(EINVALID, "reportingCurrency: %q is not an asset code of 2-10 characters A-Z or 0-9", clip(u.ReportingCurrency, 20))
	}
	return nil
}
