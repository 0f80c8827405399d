package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/tradecoach/coach"
)

// hashPrefix marks an email hash in a log line.
const hashPrefix = "eh_"

// emailPattern matches an email address inside free text: what a log line may carry.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// EmailHash returns the keyed hash of email as it appears in logs: "eh_" and 24 hex digits of
// HMAC-SHA256(key, coach.NormalizeEmail(email)). The same address, whatever its case or
// surrounding spaces, always gives the same hash under one key; without the key the hash does
// not tell which address it was.
func EmailHash(key []byte, email string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(coach.NormalizeEmail(email)))
	return hashPrefix + hex.EncodeToString(m.Sum(nil))[:24]
}

// Text returns s with every email address in it replaced by its EmailHash under key. What it
// returns holds no email address, even where a replacement meets the rest of the text
// ("a@b.io@c.io").
func Text(key []byte, s string) string {
	// Each pass removes at least one "@", so the loop ends.
	for strings.Contains(s, "@") {
		r := emailPattern.ReplaceAllStringFunc(s, func(e string) string { return EmailHash(key, e) })
		if r == s {
			break
		}
		s = r
	}
	return s
}
