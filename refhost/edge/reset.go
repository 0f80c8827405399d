package edge

import (
	"crypto/hmac"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/tradecoach/coach"
)

// maxResetToken bounds a reset token: an id, a Unix time and a MAC.
const maxResetToken = 160

// A password-reset link carries a stateless token "{userId}.{expiry}.{mac}": mac is the HMAC,
// under the edge's secret, of the user id, the expiry (Unix seconds) and the user's current
// password hash. It needs no storage and is single-use by construction: using it changes the
// password hash (a fresh salt every time), so the same token no longer verifies; it also dies
// when the password changes any other way, and at its expiry.

// resetToken returns the token for userID, whose current password hash is hash, valid until exp.
func (e *Edge) resetToken(userID, hash string, exp time.Time) string {
	ts := strconv.FormatInt(exp.Unix(), 10)
	return userID + "." + ts + "." + base64.RawURLEncoding.EncodeToString(mac(e.cfg.Secret, "reset", userID, ts, hash))
}

// ResetClaim is what a reset token says before its MAC is checked.
type ResetClaim struct {
	UserID  string
	Expires time.Time
	MAC     []byte
}

// ParseResetToken reads a token "{userId}.{expiry}.{mac}" strictly: a valid id, 1 to 12 digits,
// 43 characters of base64url. Anything else is EINVALID.
func ParseResetToken(s string) (ResetClaim, error) {
	bad := coach.Errorf(coach.EINVALID, "the link is invalid, used or expired")
	if len(s) > maxResetToken {
		return ResetClaim{}, bad
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 || !coach.ValidID(parts[0]) || len(parts[1]) == 0 || len(parts[1]) > 12 || len(parts[2]) != tokenChars {
		return ResetClaim{}, bad
	}
	for _, c := range parts[1] {
		if c < '0' || c > '9' {
			return ResetClaim{}, bad
		}
	}
	n, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return ResetClaim{}, bad
	}
	m, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || len(m) != 32 {
		return ResetClaim{}, bad
	}
	return ResetClaim{UserID: parts[0], Expires: time.Unix(n, 0).UTC(), MAC: m}, nil
}

// checkReset reports whether the claim's MAC matches the user's current password hash and the
// claim has not expired at now.
func (e *Edge) checkReset(c ResetClaim, hash string, now time.Time) bool {
	want := mac(e.cfg.Secret, "reset", c.UserID, strconv.FormatInt(c.Expires.Unix(), 10), hash)
	return hmac.Equal(c.MAC, want) && now.Before(c.Expires)
}
