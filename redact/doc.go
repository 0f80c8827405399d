// Package redact keeps personal data and secrets out of logs.
//
// NewHandler wraps any slog.Handler. Every email address that reaches it — an attribute named
// like an email, an address inside any string or error value, inside a group, or inside the
// message itself — leaves as its keyed hash (EmailHash), so log lines about one person can still
// be correlated without naming them. The value of every attribute whose key names a secret
// (password, token, secret, authorization, cookie, API key, signature, credential) leaves as
// "[redacted]". The hash is an HMAC under a key the host keeps, so a dictionary of addresses
// cannot reverse it without that key.
package redact
