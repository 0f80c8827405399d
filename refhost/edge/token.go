package edge

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
)

// tokenBytes is the size of a session token and of the pre-session (CSRF) cookie: 256 bits.
const tokenBytes = 32

// tokenChars is the length of a token in unpadded base64url.
const tokenChars = 43

// newToken returns 256 random bits in unpadded base64url.
func newToken() string {
	var b [tokenBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it panics if the system source does)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ParseToken reports whether s is a token as newToken makes them: exactly 43 characters of
// unpadded base64url that decode to 32 bytes. Cookies and CSRF tokens from the outside pass
// through it before anything else looks at them.
func ParseToken(s string) bool {
	if len(s) != tokenChars {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == tokenBytes
}

// tokenHash is what core stores of a session token: the hex SHA-256.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// mac returns the HMAC-SHA256 of the parts under key, each part prefixed by its decimal length
// and a colon so that no two lists of parts share an input.
func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		_, _ = m.Write([]byte(strconv.Itoa(len(p)) + ":" + p)) // a hash.Hash's Write never fails
	}
	return m.Sum(nil)
}

// pepper is the hex HMAC of a value under the edge's secret, in the domain purpose: how ipHash,
// uaHash and the keys naming an email or a client are made.
func (e *Edge) pepper(purpose, value string) string {
	return hex.EncodeToString(mac(e.cfg.Secret, purpose, value))
}
